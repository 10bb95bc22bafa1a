using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;

namespace ComposeGate.Web.Access;

/// <summary>
/// Records what a person does with their own account (passkeys added, renamed or removed, passkey sign-ins) in the
/// audit trail under their name, beside the admins' changes to accounts.
/// </summary>
internal sealed class AccountAudit(AppDbContext db, TimeProvider clock)
{
    public async Task RecordAsync(ApplicationUser user, string kind, string summary, object data)
    {
        db.Record(clock.GetUtcNow(), user.UserName ?? user.Id, kind, summary, data: data);
        await db.SaveChangesAsync();
    }
}

using ComposeGate.Access;
using ComposeGate.Data;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Access;

/// <summary>User look-ups on a short-lived context (Identity's managers would hold one per circuit).</summary>
internal static class UserQueries
{
    /// <summary>Finds a user the way Identity does: by the upper-invariant normalised name.</summary>
    public static Task<ApplicationUser?> FindUserByNameAsync(this AppDbContext db, string userName, CancellationToken ct) =>
        db.Users.SingleOrDefaultAsync(u => u.NormalizedUserName == userName.ToUpperInvariant(), ct);

    public static async Task<IReadOnlyList<string>> RolesOfAsync(this AppDbContext db, string userId, CancellationToken ct) =>
        await db.UserRoles.Where(ur => ur.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .ToListAsync(ct);
}

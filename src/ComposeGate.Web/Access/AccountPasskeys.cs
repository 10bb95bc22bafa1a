using System.Buffers.Text;
using ComposeGate.Access;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Identity;

namespace ComposeGate.Web.Access;

/// <summary>
/// A person's own passkeys: the options to make one, adding it from the browser's answer, renaming and removing,
/// each recorded in the audit trail. Only ever the signed-in person's own account: nobody, admins included, adds
/// a way to sign in to someone else's.
/// </summary>
internal sealed class AccountPasskeys(
    UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, AccountAudit audit, TimeProvider clock,
    ILogger<AccountPasskeys> logger)
{
    /// <summary>Enough for every device a person uses; the creation options list them all to the authenticator.</summary>
    public const int MaxPerAccount = 20;

    public const int MaxNameLength = 100;

    public async Task<IReadOnlyList<UserPasskeyInfo>> ListAsync(ApplicationUser user) =>
        [.. (await users.GetPasskeysAsync(user)).OrderBy(p => p.CreatedAt)];

    public Task<UserPasskeyInfo?> FindAsync(ApplicationUser user, byte[] credentialId) => users.GetPasskeyAsync(user, credentialId);

    /// <summary>What <c>navigator.credentials.create()</c> needs to make a passkey for <paramref name="user"/>, as JSON.</summary>
    public Task<string> CreationOptionsAsync(ApplicationUser user) =>
        signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = user.Id,
            Name = user.UserName!,
            DisplayName = user.DisplayName ?? user.UserName!,
        });

    /// <summary>Adds the passkey the browser made (<paramref name="credentialJson"/>), named <paramref name="name"/> or after today.</summary>
    public async Task<Outcome<UserPasskeyInfo>> AddAsync(ApplicationUser user, string credentialJson, string? name)
    {
        var chosen = string.IsNullOrWhiteSpace(name) ? $"Passkey of {clock.GetUtcNow():yyyy-MM-dd}" : name.Trim();
        if (NameErrors(chosen) is { } errors)
        {
            return errors;
        }
        if ((await users.GetPasskeysAsync(user)).Count >= MaxPerAccount)
        {
            return new Outcome<UserPasskeyInfo>.Conflict($"An account holds at most {MaxPerAccount} passkeys: remove one first.");
        }
        PasskeyAttestationResult attestation;
        try
        {
            attestation = await signIn.PerformPasskeyAttestationAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // Identity throws when this browser has no creation ceremony under way (its options expire after a while).
            return new Outcome<UserPasskeyInfo>.Unprocessable("Adding the passkey took too long: try again.");
        }
        if (!attestation.Succeeded)
        {
            logger.LogInformation("A passkey for {User} was not accepted: {Reason}", user.UserName, attestation.Failure.Message);
            // Identity's reason can carry an exception's text: it stays in the log.
            return new Outcome<UserPasskeyInfo>.Unprocessable("The passkey was not accepted: try again, or with another authenticator.");
        }
        // The options were made for whoever was signed in then; the passkey only ever goes to that same account.
        if (attestation.UserEntity.Id != user.Id)
        {
            return new Outcome<UserPasskeyInfo>.Conflict("The passkey was made for another account: reload the page and add it again.");
        }
        var passkey = attestation.Passkey;
        if (await users.FindByPasskeyIdAsync(passkey.CredentialId) is not null)
        {
            return new Outcome<UserPasskeyInfo>.Conflict("This passkey is registered already.");
        }
        return await SaveAsync(user, passkey, chosen, "passkey.added", $"Added the passkey '{chosen}'");
    }

    public async Task<Outcome<UserPasskeyInfo>> RenameAsync(ApplicationUser user, byte[] credentialId, string? name)
    {
        var chosen = name?.Trim() ?? "";
        if (NameErrors(chosen) is { } errors)
        {
            return errors;
        }
        if (await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return NoSuchPasskey;
        }
        return await SaveAsync(user, passkey, chosen, "passkey.renamed", $"Renamed the passkey '{passkey.Name}' to '{chosen}'");
    }

    /// <summary>
    /// Removes the passkey and, as a new password does, ends the account's other sessions at their next check (one
    /// may have been signed in with this very passkey); the session asking goes on.
    /// </summary>
    public async Task<Outcome<UserPasskeyInfo>> RemoveAsync(ApplicationUser user, byte[] credentialId)
    {
        if (await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return NoSuchPasskey;
        }
        var removed = await users.RemovePasskeyAsync(user, credentialId);
        if (!removed.Succeeded)
        {
            return Refused(removed);
        }
        await users.UpdateSecurityStampAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync(user, "passkey.removed", $"Removed the passkey '{passkey.Name}'", Describe(passkey));
        return passkey;
    }

    /// <summary>The credential id as pages and addresses carry it.</summary>
    public static string IdOf(UserPasskeyInfo passkey) => Base64Url.EncodeToString(passkey.CredentialId);

    /// <summary>The credential id from <see cref="IdOf"/>, or null when <paramref name="id"/> is not one.</summary>
    public static byte[]? ParseId(string? id)
    {
        if (string.IsNullOrEmpty(id) || !Base64Url.IsValid(id))
        {
            return null;
        }
        return Base64Url.DecodeFromChars(id);
    }

    /// <summary>The audit event's data: the passkey's name and credential id (an identifier, not a secret).</summary>
    public static object Describe(UserPasskeyInfo passkey) => new { passkey = passkey.Name, credentialId = IdOf(passkey) };

    /// <summary>Stores <paramref name="passkey"/> under <paramref name="name"/> on the account, and records it as <paramref name="kind"/>.</summary>
    private async Task<Outcome<UserPasskeyInfo>> SaveAsync(ApplicationUser user, UserPasskeyInfo passkey, string name, string kind, string summary)
    {
        passkey.Name = name;
        var saved = await users.AddOrUpdatePasskeyAsync(user, passkey);
        if (!saved.Succeeded)
        {
            return Refused(saved);
        }
        await audit.RecordAsync(user, kind, summary, Describe(passkey));
        return passkey;
    }

    private static Outcome<UserPasskeyInfo>.NotFound NoSuchPasskey => new("You have no such passkey.");

    private static FieldErrors? NameErrors(string name)
    {
        var errors = new FieldErrors();
        errors.AddIf(name.Length == 0, "name", "A passkey needs a name.");
        errors.AddIf(name.Length > MaxNameLength, "name", $"A passkey's name is at most {MaxNameLength} characters.");
        errors.AddIf(name.Any(char.IsControl), "name", "A passkey's name is one line of text.");
        return errors.Any ? errors : null;
    }

    private static Outcome<UserPasskeyInfo> Refused(IdentityResult result) =>
        new Outcome<UserPasskeyInfo>.Conflict(string.Join(" ", result.Errors.Select(e => e.Description)));
}

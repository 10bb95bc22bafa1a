using System.Security.Cryptography;
using ComposeGate.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Access;

/// <summary>
/// Identity's sign-in manager, refusing accounts an admin has disabled, and making every refused password sign-in
/// cost one password-hash verification, so the time taken does not tell an unknown, disabled or locked account
/// from a wrong password. Passkey sign-ins pass the same checks and are recorded in the audit trail.
/// </summary>
internal sealed class ComposeGateSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation,
    AccountAudit audit)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    // A hash of a password nobody knows, made by the configured hasher so verifying it costs what a real one does.
    private static string? decoyHash;

    public override async Task<bool> CanSignInAsync(ApplicationUser user) =>
        user.DisabledAt is null && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            VerifyIgnoringResult(user: null, password);
            return SignInResult.Failed;
        }
        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> CheckPasswordSignInAsync(ApplicationUser user, string password, bool lockoutOnFailure)
    {
        // Identity refuses disabled and locked accounts before it looks at the password.
        if (!await CanSignInAsync(user) || await IsLockedOut(user))
        {
            VerifyIgnoringResult(user, password);
        }
        return await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
    }

    public override Task<SignInResult> PasskeySignInAsync(string credentialJson) => PasskeySignInAsync(credentialJson, isPersistent: false);

    /// <summary>
    /// Signs in with a passkey (the browser's answer to <c>MakePasskeyRequestOptionsAsync</c>), honouring "keep me
    /// signed in". Written out rather than left to Identity's own, so that disabled and locked accounts are refused,
    /// before anything about the passkey is stored, whatever the framework's version does.
    /// </summary>
    public async Task<SignInResult> PasskeySignInAsync(string credentialJson, bool isPersistent)
    {
        PasskeyAssertionResult<ApplicationUser> assertion;
        try
        {
            assertion = await PerformPasskeyAssertionAsync(credentialJson);
        }
        catch (InvalidOperationException noCeremony)
        {
            // Identity throws when this browser has no sign-in ceremony under way: its options expired, or never were asked.
            Logger.LogInformation("A passkey sign-in failed: {Reason}", noCeremony.Message);
            return SignInResult.Failed;
        }
        if (!assertion.Succeeded)
        {
            Logger.LogInformation("A passkey sign-in failed: {Reason}", assertion.Failure.Message);
            return SignInResult.Failed;
        }
        var user = assertion.User;
        var passkey = assertion.Passkey;
        if (await PreSignInCheck(user) is { } refused)
        {
            await audit.RecordAsync(user, "passkey.sign-in-refused",
                $"Refused a sign-in with the passkey '{passkey.Name}': the account is {(refused.IsLockedOut ? "locked" : "disabled")}",
                AccountPasskeys.Describe(passkey));
            return refused;
        }
        // The stored signature count moves on with each use, which is how a cloned authenticator would show.
        var updated = await UserManager.AddOrUpdatePasskeyAsync(user, passkey);
        if (!updated.Succeeded)
        {
            return SignInResult.Failed;
        }
        // A user-verified passkey is two factors already (the device, and its PIN or biometric).
        var result = await SignInOrTwoFactorAsync(user, isPersistent, loginProvider: null, bypassTwoFactor: true);
        if (result.Succeeded)
        {
            // As a password sign-in does: earlier wrong passwords no longer count towards a lockout.
            await UserManager.ResetAccessFailedCountAsync(user);
            Logger.LogInformation("User {User} signed in with a passkey", user.UserName);
            await audit.RecordAsync(user, "passkey.signed-in", $"Signed in with the passkey '{passkey.Name}'", AccountPasskeys.Describe(passkey));
        }
        return result;
    }

    /// <summary>Verifies <paramref name="password"/> against the account's own hash (or the decoy) and ignores the answer.</summary>
    private void VerifyIgnoringResult(ApplicationUser? user, string password)
    {
        var hasher = UserManager.PasswordHasher;
        var subject = user ?? new ApplicationUser();
        var hash = user?.PasswordHash
            ?? LazyInitializer.EnsureInitialized(ref decoyHash, () => hasher.HashPassword(subject, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
        hasher.VerifyHashedPassword(subject, hash, password);
    }
}

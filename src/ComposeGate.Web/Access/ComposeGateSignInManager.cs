using System.Security.Cryptography;
using ComposeGate.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Access;

/// <summary>
/// Identity's sign-in manager, refusing accounts an admin has disabled, and making every refused sign-in cost
/// one password-hash verification, so the time taken does not tell an unknown, disabled or locked account
/// from a wrong password.
/// </summary>
internal sealed class ComposeGateSignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
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

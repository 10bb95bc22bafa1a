using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Access;

/// <summary>
/// <c>ComposeGate:SignIn</c>: how many sign-in attempts (<c>POST /Account/Login</c>) one client address may make.
/// Each address has a bucket of <see cref="AttemptLimit"/> attempts, and gets one back every <see cref="AttemptRefill"/>.
/// </summary>
public sealed class SignInOptions
{
    public const string Section = "ComposeGate:SignIn";

    public int AttemptLimit { get; set; } = 10;

    public TimeSpan AttemptRefill { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Reports every bad sign-in setting at start-up, at once, including a refill fast enough to let one address keep an
/// account locked: it must not give back, within one lockout, the failures that lock the account again.
/// </summary>
internal sealed class SignInOptionsValidator(IOptions<IdentityOptions> identity) : IValidateOptions<SignInOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInOptions options)
    {
        var errors = new List<string>();
        if (options.AttemptLimit < 1)
        {
            errors.Add($"{SignInOptions.Section}:AttemptLimit must be at least 1.");
        }
        var lockout = identity.Value.Lockout;
        var shortest = lockout.DefaultLockoutTimeSpan / lockout.MaxFailedAccessAttempts;
        if (options.AttemptRefill <= shortest)
        {
            errors.Add($"{SignInOptions.Section}:AttemptRefill must be longer than {shortest:c}: an account is locked for " +
                $"{lockout.DefaultLockoutTimeSpan:c} after {lockout.MaxFailedAccessAttempts} failures, and a faster refill would let " +
                "one address lock it again as soon as it opens.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

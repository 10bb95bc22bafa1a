using ComposeGate.Access;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Access;

/// <summary>
/// A GitLab user name belongs to one account, ignoring case: votes and commands on merge requests are credited by it.
/// Identity runs this on every create and update of an account (Admin → Users, the profile page); a unique index
/// backs it up.
/// </summary>
internal sealed class ForgeUsernameValidator : IUserValidator<ApplicationUser>
{
    public const string ErrorCode = "DuplicateForgeUsername";

    public async Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        if (user.NormalizedForgeUsername is not { } normalized
            || !await manager.Users.AnyAsync(u => u.NormalizedForgeUsername == normalized && u.Id != user.Id))
        {
            return IdentityResult.Success;
        }
        return IdentityResult.Failed(new IdentityError
        {
            Code = ErrorCode,
            Description = $"The GitLab user name '{user.ForgeUsername}' belongs to another account.",
        });
    }
}

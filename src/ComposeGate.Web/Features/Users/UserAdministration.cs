using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Users;

/// <summary>
/// Admins create people's accounts (registration is closed), assign roles and disable accounts.
/// Each operation runs in its own scope so a page never holds a database context for its lifetime.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes, ApiTokenCache tokens, TimeProvider clock)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var roles = await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(ct);
        var rolesByUser = roles.ToLookup(r => r.UserId, r => r.Name!);
        return users.Select(u => ToSummary(u, rolesByUser[u.Id])).ToList();
    }

    public async Task<Outcome<UserSummary>> CreateAsync(ClaimsPrincipal actor, CreateUserRequest request, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<UserSummary>.Forbidden("Only admins may create users.");
        }
        var errors = new FieldErrors();
        var userName = request.UserName?.Trim() ?? "";
        errors.AddIf(userName.Length is 0 or > 64, "userName", "A user name of 1-64 characters is required.");
        var roles = ValidateRoles(request.Roles, errors);
        errors.AddIf(string.IsNullOrEmpty(request.Password), "password", "An initial password is required.");
        if (errors.Any)
        {
            return errors;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.FindByNameAsync(userName) is not null)
        {
            return new Outcome<UserSummary>.Conflict($"A user named '{userName}' exists.");
        }
        // A bot token acts under its own name: a person of that name would be credited with the bot's results.
        var upperName = userName.ToUpperInvariant();
        if (await scope.ServiceProvider.GetRequiredService<AppDbContext>().ApiTokens
                .AnyAsync(t => t.UserId == null && t.RevokedAt == null && t.Name.ToUpper() == upperName, ct))
        {
            return errors.Add("userName", $"'{userName}' is the name of a bot token; revoke the token or choose another name.");
        }

        var now = clock.GetUtcNow();
        var user = new ApplicationUser
        {
            UserName = userName,
            DisplayName = Blank(request.DisplayName),
            Email = Blank(request.Email),
            ForgeUsername = Blank(request.ForgeUsername),
            CreatedAt = now,
        };
        var created = await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            return IdentityErrors(created);
        }
        await users.AddToRolesAsync(user, roles);
        await AuditAsync(scope, actor, "user.created", $"Created user '{userName}' ({string.Join(", ", roles)})",
            new { userName, roles }, ct);
        return ToSummary(user, roles);
    }

    public async Task<Outcome<UserSummary>> SetRolesAsync(ClaimsPrincipal actor, string userId, IReadOnlyCollection<string> requested, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<UserSummary>.Forbidden("Only admins may change roles.");
        }
        var errors = new FieldErrors();
        var roles = ValidateRoles(requested, errors);
        if (errors.Any)
        {
            return errors;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return new Outcome<UserSummary>.NotFound("No such user.");
        }
        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && !roles.Contains(Roles.Admin) && await IsLastActiveAdminAsync(users, user))
        {
            return new Outcome<UserSummary>.Conflict($"'{user.UserName}' is the last active admin; make someone else admin first.");
        }
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // One transaction, so no request sees the person between losing the old roles and gaining the new ones.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var removed = await users.RemoveFromRolesAsync(user, current.Except(roles));
            var changed = removed.Succeeded ? await users.AddToRolesAsync(user, roles.Except(current)) : removed;
            if (!changed.Succeeded)
            {
                return IdentityErrors(changed);
            }
            db.Record(clock.GetUtcNow(), Actor.NameOf(actor), "user.roles-changed", $"Set roles of '{user.UserName}' to {string.Join(", ", roles)}",
                data: new { user.UserName, from = current, to = roles });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        // After the commit: a token read before it would be cached again with the old roles.
        tokens.Clear();
        return ToSummary(user, roles);
    }

    public async Task<Outcome<UserSummary>> SetDisabledAsync(ClaimsPrincipal actor, string userId, bool disabled, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<UserSummary>.Forbidden("Only admins may disable users.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return new Outcome<UserSummary>.NotFound("No such user.");
        }
        var roles = await users.GetRolesAsync(user);
        if (disabled && user.DisabledAt is null)
        {
            if (user.UserName == Actor.NameOf(actor))
            {
                return new Outcome<UserSummary>.Conflict("You cannot disable your own account.");
            }
            if (roles.Contains(Roles.Admin) && await IsLastActiveAdminAsync(users, user))
            {
                return new Outcome<UserSummary>.Conflict($"'{user.UserName}' is the last active admin.");
            }
            user.DisabledAt = clock.GetUtcNow();
            await users.UpdateAsync(user);
            // A new stamp ends the person's open sessions at their next validation.
            await users.UpdateSecurityStampAsync(user);
            await AuditAsync(scope, actor, "user.disabled", $"Disabled user '{user.UserName}'", new { user.UserName }, ct);
        }
        else if (!disabled && user.DisabledAt is not null)
        {
            user.DisabledAt = null;
            await users.UpdateAsync(user);
            await AuditAsync(scope, actor, "user.enabled", $"Enabled user '{user.UserName}'", new { user.UserName }, ct);
        }
        return ToSummary(user, roles);
    }

    public async Task<Outcome<UserSummary>> ResetPasswordAsync(ClaimsPrincipal actor, string userId, string newPassword, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<UserSummary>.Forbidden("Only admins may reset passwords.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return new Outcome<UserSummary>.NotFound("No such user.");
        }
        var errors = new FieldErrors();
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, user, newPassword);
            foreach (var error in check.Errors)
            {
                errors.Add("password", error.Description);
            }
        }
        if (errors.Any)
        {
            return errors;
        }
        await users.RemovePasswordAsync(user);
        await users.AddPasswordAsync(user, newPassword);
        // A reset is how an admin shuts out whoever learnt the old password; a passkey that person added would let
        // them back in, so the account's passkeys go too (the person adds theirs again after signing in).
        var passkeys = await users.GetPasskeysAsync(user);
        foreach (var passkey in passkeys)
        {
            await users.RemovePasskeyAsync(user, passkey.CredentialId);
        }
        await users.UpdateSecurityStampAsync(user);
        await AuditAsync(scope, actor, "user.password-reset",
            $"Reset the password of '{user.UserName}'{(passkeys.Count > 0 ? $" and removed their {passkeys.Count} passkey(s)" : "")}",
            new { user.UserName, passkeysRemoved = passkeys.Select(p => p.Name).ToList() }, ct);
        return ToSummary(user, await users.GetRolesAsync(user));
    }

    private static List<string> ValidateRoles(IEnumerable<string>? requested, FieldErrors errors)
    {
        var roles = (requested ?? []).Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
        errors.AddIf(roles.Count == 0, "roles", "At least one role is required.");
        foreach (var unknown in roles.Where(r => !Roles.IsKnown(r)))
        {
            errors.Add("roles", $"Unknown role '{unknown}'; use {string.Join(", ", Roles.All)}.");
        }
        return roles;
    }

    private static async Task<bool> IsLastActiveAdminAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        return !admins.Any(a => a.Id != user.Id && a.DisabledAt is null);
    }

    private async Task AuditAsync(AsyncServiceScope scope, ClaimsPrincipal actor, string kind, string summary, object data, CancellationToken ct)
    {
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Record(clock.GetUtcNow(), Actor.NameOf(actor), kind, summary, data: data);
        await db.SaveChangesAsync(ct);
        // Every change to an account may change what its tokens are allowed to do.
        tokens.Clear();
    }

    private static Outcome<UserSummary> IdentityErrors(IdentityResult result)
    {
        var errors = new FieldErrors();
        foreach (var error in result.Errors)
        {
            errors.Add(error.Code == ForgeUsernameValidator.ErrorCode ? "forgeUsername"
                : error.Code.Contains("Password", StringComparison.Ordinal) ? "password"
                : error.Code.Contains("UserName", StringComparison.Ordinal) ? "userName" : "user", error.Description);
        }
        return errors;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static UserSummary ToSummary(ApplicationUser user, IEnumerable<string> roles) => new(
        user.Id, user.UserName!, user.DisplayName, user.Email, user.ForgeUsername,
        Roles.All.Where(roles.Contains).ToList(), user.CreatedAt, user.DisabledAt);
}

public sealed record CreateUserRequest(string? UserName, string? Password, IReadOnlyList<string>? Roles,
    string? DisplayName = null, string? Email = null, string? ForgeUsername = null);

public sealed record UserSummary(string Id, string UserName, string? DisplayName, string? Email, string? ForgeUsername,
    IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt)
{
    public string Label => DisplayName is null ? UserName : $"{DisplayName} ({UserName})";
}

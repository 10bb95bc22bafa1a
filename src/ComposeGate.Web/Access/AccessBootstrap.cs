using System.Security.Cryptography;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Access;

/// <summary>
/// First-run setup: the roles, the <c>admin</c> account, and the automation token from
/// <c>ComposeGate:Bootstrap</c>. Safe to run at every start.
/// </summary>
internal sealed class AccessBootstrap(
    AppDbContext db,
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<ComposeGateOptions> options,
    TimeProvider clock,
    ApiTokenCache tokens,
    ILogger<AccessBootstrap> logger)
{
    public const string AdminUserName = "admin";
    public const string BootstrapTokenName = "bootstrap-admin";

    public static async Task RunAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AccessBootstrap>().RunAsync();
    }

    public async Task RunAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
        await EnsureAdminAsync();
        await EnsureAdminTokenAsync();
    }

    private async Task EnsureAdminAsync()
    {
        if (await users.FindByNameAsync(AdminUserName) is not null)
        {
            return;
        }
        var configured = options.Value.Bootstrap.AdminPassword;
        // With no password configured, only a brand-new installation gets a generated one; an
        // installation whose admins renamed or removed 'admin' is left alone.
        if (string.IsNullOrEmpty(configured) && await users.Users.AnyAsync())
        {
            return;
        }
        var password = string.IsNullOrEmpty(configured) ? GeneratePassword() : configured;
        var admin = new ApplicationUser { UserName = AdminUserName, DisplayName = "Administrator", CreatedAt = clock.GetUtcNow() };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException("Could not create the admin user: " +
                string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        await users.AddToRoleAsync(admin, Roles.Admin);
        db.Record(clock.GetUtcNow(), Actor.System, "user.created", "Created the 'admin' user at first start");
        await db.SaveChangesAsync();
        if (string.IsNullOrEmpty(configured))
        {
            // Deliberately on the console rather than through logging: shown once to whoever started
            // the app, never shipped to a log store.
            Console.WriteLine($"""

                ComposeGate created the '{AdminUserName}' user with this generated password (shown once):

                    {password}

                Sign in and change it, or set ComposeGate__Bootstrap__AdminPassword before the first start.

                """);
        }
        else
        {
            logger.LogInformation("Created the '{User}' user with the configured bootstrap password", AdminUserName);
        }
    }

    private async Task EnsureAdminTokenAsync()
    {
        var secret = options.Value.Bootstrap.AdminToken;
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }
        var hash = TokenSecret.Hash(secret);
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync();
        // The secret was rotated: the previous bootstrap token stops working. Saved first, because live
        // token names are unique.
        foreach (var old in await db.ApiTokens.Where(t => t.IsBootstrap && t.RevokedAt == null && t.Hash != hash).ToListAsync())
        {
            old.RevokedAt = now;
            old.RevokedBy = Actor.System;
        }
        await db.SaveChangesAsync();

        var existing = await db.ApiTokens.SingleOrDefaultAsync(t => t.Hash == hash);
        if (existing is null)
        {
            db.ApiTokens.Add(new ApiToken
            {
                Name = BootstrapTokenName,
                // Nothing of an operator-chosen secret is stored, not even a prefix.
                Prefix = "(bootstrap)",
                Hash = hash,
                Role = Roles.Admin,
                CreatedBy = Actor.System,
                CreatedAt = now,
                IsBootstrap = true,
            });
            db.Record(now, Actor.System, "token.minted", "Ensured the bootstrap Admin token from configuration");
            logger.LogInformation("Ensured the bootstrap Admin token from configuration");
        }
        else if (existing.Role != Roles.Admin || !existing.IsUsableAt(now))
        {
            // Configuration is the authority for this one token: an admin who revoked it must change the setting.
            existing.Role = Roles.Admin;
            existing.RevokedAt = null;
            existing.RevokedBy = null;
            existing.ExpiresAt = null;
            db.Record(now, Actor.System, "token.restored", "Restored the bootstrap Admin token from configuration");
        }
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        tokens.Clear();
    }

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y') + "-7aK";
}

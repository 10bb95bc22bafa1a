using ComposeGate.Data;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace ComposeGate.Tests.Data;

/// <summary>Identity's schema version 3 comes to an existing database as a migration, in place.</summary>
public sealed class PasskeyMigrationTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public PasskeyMigrationTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task Migration_DatabaseOfTheLastRelease_GainsThePasskeyTableAndKeepsItsAccounts()
    {
        Directory.CreateDirectory(app.DataDir);
        var file = Path.Combine(app.DataDir, "before-passkeys.db");
        // A context without the app's services, as design-time tools make one: its model has the passkeys all the same.
        var options = new DbContextOptionsBuilder<AppDbContext>()
            .UseSqlite($"Data Source={file}", sqlite => sqlite.MigrationsAssembly("ComposeGate.Migrations")).Options;
        await using (var db = new AppDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261201231543_UniqueForgeUsername");
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, CreatedAt, EmailConfirmed, PhoneNumberConfirmed,
                                         TwoFactorEnabled, LockoutEnabled, AccessFailedCount)
                VALUES ('u-kept', 'kept', 'KEPT', 100, 0, 0, 0, 1, 0);
                """);
        }

        await using (var db = new AppDbContext(options))
        {
            await db.Database.MigrateAsync();

            var kept = await db.Users.SingleAsync(u => u.UserName == "kept");
            Assert.Empty(await db.UserPasskeys.Where(p => p.UserId == kept.Id).ToListAsync());
            Assert.Contains("20261202013254_Passkeys", await db.Database.GetAppliedMigrationsAsync());
        }
    }
}

using ComposeGate.Data;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Data;

public sealed class MigrationTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public MigrationTests(ComposeGateFactory app) => this.app = app;

    /// <summary>A change to an entity without `dotnet ef migrations add` fails here rather than at a user's start-up.</summary>
    [Fact]
    public async Task Model_HasNoChangesMissingFromTheMigrations()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

        Assert.False(db.Database.HasPendingModelChanges(), "The model has changes without a migration: run dotnet ef migrations add.");
    }

    [Fact]
    public async Task Startup_AppliesEveryMigrationAndUsesWal()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        Assert.True(File.Exists(Path.Combine(app.DataDir, "composegate.db")));
    }

    [Fact]
    public async Task Times_RoundTripExactlyAndSortInSql()
    {
        // As text the early one sorts last (a later date in its own offset); as an instant it is earlier.
        var early = new DateTimeOffset(2026, 11, 21, 1, 0, 0, 123, TimeSpan.FromHours(5)).AddTicks(7);
        var late = new DateTimeOffset(2026, 11, 20, 22, 0, 0, TimeSpan.Zero);
        await app.WithDbAsync(async db =>
        {
            db.AuditEvents.Add(new ComposeGate.Audit.AuditEvent { At = late, Actor = "t", Kind = "test.order", Summary = "late" });
            db.AuditEvents.Add(new ComposeGate.Audit.AuditEvent { At = early, Actor = "t", Kind = "test.order", Summary = "early" });
            return await db.SaveChangesAsync();
        });

        var ordered = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.Kind == "test.order").OrderBy(e => e.At).ToListAsync());

        Assert.Equal(["early", "late"], ordered.Select(e => e.Summary));
        Assert.Equal(early, ordered[0].At);
        Assert.Equal(TimeSpan.Zero, ordered[0].At.Offset);
    }
}

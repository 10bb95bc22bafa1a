using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Data;

public sealed class SerializedWritesTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public SerializedWritesTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task SaveWhileAnExplicitTransactionIsOpen_WaitsForItsCommitInsteadOfDeadlocking()
    {
        // An ingest holds SQLite's write lock in its transaction and saves inside it, while another writer saves:
        // the other writer must wait its turn, and the transaction's own save must not queue behind it.
        var factory = app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var now = app.Clock.GetUtcNow();
        await using var ingest = await factory.CreateDbContextAsync();
        await using var transaction = await ingest.Database.BeginTransactionAsync();

        var other = Task.Run(async () =>
        {
            await using var db = await factory.CreateDbContextAsync();
            db.Record(now, "other", "test.other", "the other writer");
            return await db.SaveChangesAsync();
        });
        await Task.Delay(200);
        Assert.False(other.IsCompleted, "the other writer waits for the transaction");

        ingest.Record(now, "ingest", "test.ingest", "inside the transaction");
        await ingest.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await transaction.CommitAsync();

        Assert.Equal(1, await other.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(2, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == "test.ingest" || e.Kind == "test.other")));
    }

    [Fact]
    public async Task TransactionDisposedWithoutCommit_GivesTheTurnBack()
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var early = await factory.CreateDbContextAsync())
        {
            await using var transaction = await early.Database.BeginTransactionAsync();
            await early.Streams.CountAsync();
        }

        await using var db = await factory.CreateDbContextAsync();
        db.Record(app.Clock.GetUtcNow(), "next", "test.next", "after an abandoned transaction");
        Assert.Equal(1, await db.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(20)));
    }
}

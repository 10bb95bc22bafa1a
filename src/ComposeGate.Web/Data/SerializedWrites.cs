using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComposeGate.Web.Data;

/// <summary>
/// SQLite has one writer at a time. Left to themselves, concurrent writers wait in SQLite's busy handler, which
/// is unfair (a writer can starve for seconds under load). Taking turns here, first come first served, keeps
/// every bot's latency short. Readers are not affected (WAL).
/// </summary>
internal sealed class SerializedWrites : SaveChangesInterceptor
{
    private readonly SemaphoreSlim turn = new(1, 1);

    // The contexts holding the turn, so a save that failed before taking it never releases someone else's.
    private readonly ConditionalWeakTable<DbContext, object> holders = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        turn.Wait();
        holders.AddOrUpdate(eventData.Context!, this);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        await turn.WaitAsync(cancellationToken);
        holders.AddOrUpdate(eventData.Context!, this);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Release(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Release(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    private void Release(DbContext? context)
    {
        if (context is not null && holders.Remove(context))
        {
            turn.Release();
        }
    }
}

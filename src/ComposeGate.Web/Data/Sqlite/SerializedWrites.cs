using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComposeGate.Web.Data.Sqlite;

/// <summary>
/// SQLite has one writer at a time. Left to themselves, concurrent writers wait in SQLite's busy handler, which
/// is unfair (a writer can starve for seconds under load). Taking turns here, first come first served, keeps
/// every bot's latency short. Readers are not affected (WAL).
/// <para>
/// An explicit transaction (<c>BEGIN IMMEDIATE</c>, SQLite's write lock) takes the turn when it begins and keeps it
/// until it commits, rolls back or its connection closes; the saves inside it do not queue again. Otherwise a
/// transaction holding SQLite's lock would wait here for a save that waits in SQLite for the transaction.
/// </para>
/// </summary>
internal sealed class SerializedWrites
{
    private readonly SemaphoreSlim turn = new(1, 1);

    // The contexts holding the turn and why, so a save that failed before taking it never releases someone else's.
    private readonly ConditionalWeakTable<DbContext, Holder> holders = new();

    public IInterceptor[] Interceptors => [new Saves(this), new Transactions(this), new Connections(this)];

    private sealed class Holder(bool transaction)
    {
        public bool Transaction { get; } = transaction;
    }

    private void Take(DbContext? context, bool transaction, CancellationToken ct = default)
    {
        turn.Wait(ct);
        holders.AddOrUpdate(context!, new Holder(transaction));
    }

    private async ValueTask TakeAsync(DbContext? context, bool transaction, CancellationToken ct)
    {
        await turn.WaitAsync(ct);
        holders.AddOrUpdate(context!, new Holder(transaction));
    }

    private bool InTransaction(DbContext? context) => context is not null && holders.TryGetValue(context, out var holder) && holder.Transaction;

    /// <summary>SaveChanges begins its own transaction while it holds the turn: that one must not queue again.</summary>
    private bool Holds(DbContext? context) => context is not null && holders.TryGetValue(context, out _);

    private void Release(DbContext? context, bool transaction)
    {
        if (context is not null && holders.TryGetValue(context, out var holder) && holder.Transaction == transaction && holders.Remove(context))
        {
            turn.Release();
        }
    }

    private sealed class Saves(SerializedWrites writes) : SaveChangesInterceptor
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            if (!writes.InTransaction(eventData.Context))
            {
                writes.Take(eventData.Context, transaction: false);
            }
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            if (!writes.InTransaction(eventData.Context))
            {
                await writes.TakeAsync(eventData.Context, transaction: false, cancellationToken);
            }
            return result;
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            writes.Release(eventData.Context, transaction: false);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            writes.Release(eventData.Context, transaction: false);
            return ValueTask.FromResult(result);
        }

        public override void SaveChangesFailed(DbContextErrorEventData eventData) => writes.Release(eventData.Context, transaction: false);

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            writes.Release(eventData.Context, transaction: false);
            return Task.CompletedTask;
        }
    }

    private sealed class Transactions(SerializedWrites writes) : DbTransactionInterceptor
    {
        public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result)
        {
            if (!writes.Holds(eventData.Context))
            {
                writes.Take(eventData.Context, transaction: true);
            }
            return result;
        }

        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (!writes.Holds(eventData.Context))
            {
                await writes.TakeAsync(eventData.Context, transaction: true, cancellationToken);
            }
            return result;
        }

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => writes.Release(eventData.Context, transaction: true);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            writes.Release(eventData.Context, transaction: true);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => writes.Release(eventData.Context, transaction: true);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            writes.Release(eventData.Context, transaction: true);
            return Task.CompletedTask;
        }

        public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => writes.Release(eventData.Context, transaction: true);

        public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            writes.Release(eventData.Context, transaction: true);
            return Task.CompletedTask;
        }
    }

    /// <summary>A transaction disposed without commit or rollback (an early return) ends when its connection closes.</summary>
    private sealed class Connections(SerializedWrites writes) : DbConnectionInterceptor
    {
        public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => writes.Release(eventData.Context, transaction: true);

        public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
        {
            writes.Release(eventData.Context, transaction: true);
            return Task.CompletedTask;
        }
    }
}

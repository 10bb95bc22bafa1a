using System.Data.Common;
using System.Runtime.CompilerServices;
using ComposeGate.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComposeGate.Web.Features.Events;

/// <summary>
/// Tells the delivery jobs that webhook deliveries or bus messages were stored, once they are committed (after the
/// save, or after the surrounding transaction's commit), so they are enqueued at once rather than at the next sweep.
/// </summary>
public sealed class OutboxSignal : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Added> waiting = new();

    public event Action? WebhooksAdded;

    public event Action? BusMessagesAdded;

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Signal(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Signal(eventData.Context);
        return Task.CompletedTask;
    }

    private void Note(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        var entries = context.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).Select(e => e.Entity);
        var webhooks = false;
        var bus = false;
        foreach (var entity in entries)
        {
            webhooks |= entity is WebhookDelivery;
            bus |= entity is BusOutboxMessage;
        }
        if (webhooks || bus)
        {
            var added = waiting.GetOrCreateValue(context);
            added.Webhooks |= webhooks;
            added.Bus |= bus;
        }
    }

    private void Saved(DbContext? context)
    {
        // Inside a transaction the rows are not visible to the jobs until the commit.
        if (context?.Database.CurrentTransaction is null)
        {
            Signal(context);
        }
    }

    private void Signal(DbContext? context)
    {
        if (context is null || !waiting.TryGetValue(context, out var added))
        {
            return;
        }
        waiting.Remove(context);
        if (added.Webhooks)
        {
            WebhooksAdded?.Invoke();
        }
        if (added.Bus)
        {
            BusMessagesAdded?.Invoke();
        }
    }

    private sealed class Added
    {
        public bool Webhooks;
        public bool Bus;
    }
}

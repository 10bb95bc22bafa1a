using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace ComposeGate.Web.Data.Sqlite;

/// <summary>
/// Hangfire.Storage.SQLite's queue polls: an idle worker sleeps for the poll interval between looks. This wraps it so
/// that an enqueue in this process (a new job, a retry coming due, a continuation) wakes the sleeping workers at once,
/// and the poll interval can stay long for a quiet machine.
/// </summary>
internal sealed class QueueWake(IPersistentJobQueueProvider inner) : IPersistentJobQueueProvider
{
    private readonly Lock gate = new();
    private CancellationTokenSource signal = new();

    public IPersistentJobQueue GetJobQueue(HangfireDbContext connection) => new WakingQueue(inner.GetJobQueue(connection), this);

    public IPersistentJobQueueMonitoringApi GetJobQueueMonitoringApi(HangfireDbContext connection) => new SameQueues(inner.GetJobQueueMonitoringApi(connection));

    private CancellationToken Current
    {
        get
        {
            lock (gate)
            {
                return signal.Token;
            }
        }
    }

    private void Wake()
    {
        CancellationTokenSource woken;
        lock (gate)
        {
            woken = signal;
            signal = new CancellationTokenSource();
        }
        woken.Cancel();
    }

    private sealed class WakingQueue(IPersistentJobQueue inner, QueueWake wake) : IPersistentJobQueue
    {
        public IFetchedJob Dequeue(string[] queues, CancellationToken cancellationToken)
        {
            while (true)
            {
                // Taken before looking, so an enqueue between the look and the sleep still ends the sleep.
                using var woken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wake.Current);
                try
                {
                    return inner.Dequeue(queues, woken.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Woken: look again at once.
                }
            }
        }

        public void Enqueue(string queue, string jobId)
        {
            // The row is committed when this returns (the storage writes without a surrounding transaction).
            inner.Enqueue(queue, jobId);
            wake.Wake();
        }
    }

    /// <summary>
    /// The same table as the storage's own queue provider, which the dashboard asks too: the queues are listed once,
    /// by that one; the rest is answered as it answers.
    /// </summary>
    private sealed class SameQueues(IPersistentJobQueueMonitoringApi inner) : IPersistentJobQueueMonitoringApi
    {
        public IEnumerable<string> GetQueues() => [];

        public IEnumerable<int> GetEnqueuedJobIds(string queue, int from, int perPage) => inner.GetEnqueuedJobIds(queue, from, perPage);

        public IEnumerable<int> GetFetchedJobIds(string queue, int from, int perPage) => inner.GetFetchedJobIds(queue, from, perPage);

        public EnqueuedAndFetchedCountDto GetEnqueuedAndFetchedCount(string queue) => inner.GetEnqueuedAndFetchedCount(queue);
    }
}

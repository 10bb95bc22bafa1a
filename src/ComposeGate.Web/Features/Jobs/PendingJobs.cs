using System.Collections.Concurrent;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// At most one job waiting per key: a burst of changes to one candidate (a bot reporting a thousand results) enqueues
/// one job, not a thousand. The job calls <see cref="Started"/> when it starts its work, so a change during its run
/// enqueues the next. A key older than <see cref="Stale"/> no longer holds anyone back: its job may never run (deleted
/// on the dashboard while enqueued), and a lost key must not silence a candidate until the next restart.
/// </summary>
public sealed class PendingJobs
{
    public static readonly TimeSpan Stale = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, long> waiting = new(StringComparer.Ordinal);

    public void Enqueue(string key, Func<string> enqueue, ILogger logger)
    {
        var now = Environment.TickCount64;
        var since = waiting.GetOrAdd(key, now);
        if (since != now)
        {
            if (now - since < Stale.TotalMilliseconds || !waiting.TryUpdate(key, now, since))
            {
                return;
            }
        }
        try
        {
            enqueue();
        }
        catch (Exception e)
        {
            // The periodic job of the same kind catches up; the next change tries again.
            waiting.TryRemove(key, out _);
            logger.LogError(e, "Enqueueing the job for {Key} failed", key);
        }
    }

    public void Started(string key) => waiting.TryRemove(key, out _);
}

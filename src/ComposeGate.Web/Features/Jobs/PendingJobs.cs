using System.Collections.Concurrent;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// At most one job waiting per key: a burst of changes to one candidate (a bot reporting a thousand results) enqueues
/// one job, not a thousand. The job calls <see cref="Started"/> first, so a change during its run enqueues the next.
/// </summary>
public sealed class PendingJobs
{
    private readonly ConcurrentDictionary<string, byte> waiting = new(StringComparer.Ordinal);

    public void Enqueue(string key, Func<string> enqueue, ILogger logger)
    {
        if (!waiting.TryAdd(key, 0))
        {
            return;
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

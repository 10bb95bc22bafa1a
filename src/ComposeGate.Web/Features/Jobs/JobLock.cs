using Hangfire;
using Hangfire.Storage;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Hangfire runs a job at least once, and a recurring job may come due while its last run is still going: jobs that
/// must not overlap take a distributed lock in the job storage (shared by every instance on the same storage).
/// </summary>
public static class JobLock
{
    /// <summary>The lock on <paramref name="resource"/>, or null when someone else holds it for longer than <paramref name="wait"/>.</summary>
    public static IDisposable? TryTake(JobStorage storage, string resource, TimeSpan wait)
    {
        var connection = storage.GetConnection();
        try
        {
            var held = connection.AcquireDistributedLock($"composegate:{resource}", wait);
            return new Held(held, connection);
        }
        catch (DistributedLockTimeoutException)
        {
            connection.Dispose();
            return null;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the lock on <paramref name="resource"/> as long as <paramref name="ct"/> lets it.</summary>
    public static async Task<IDisposable> TakeAsync(JobStorage storage, string resource, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (TryTake(storage, resource, TimeSpan.Zero) is { } held)
            {
                return held;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    private sealed class Held(IDisposable held, IStorageConnection connection) : IDisposable
    {
        public void Dispose()
        {
            held.Dispose();
            connection.Dispose();
        }
    }
}

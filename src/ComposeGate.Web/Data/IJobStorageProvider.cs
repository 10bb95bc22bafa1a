using Hangfire;

namespace ComposeGate.Web.Data;

/// <summary>
/// Where Hangfire keeps jobs, their states and the distributed locks, behind one seam like <see cref="IDatabaseProvider"/>:
/// on the embedded default a SQLite file of its own in the data folder (<c>Data/Sqlite</c>); with PostgreSQL,
/// Hangfire.PostgreSql in the same server drops in here.
/// </summary>
public interface IJobStorageProvider
{
    /// <summary>The engine as the dashboard and logs name it.</summary>
    string Name { get; }

    /// <summary>
    /// Opens the storage once, at start-up, after the data folder is prepared and before any worker fetches a job;
    /// jobs that a dead process had fetched are handed to this one here.
    /// </summary>
    JobStorage Open(TimeSpan queuePollInterval);
}

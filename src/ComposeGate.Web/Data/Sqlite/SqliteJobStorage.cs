using Hangfire;
using Hangfire.Storage.SQLite;
using Hangfire.Storage.SQLite.Entities;

namespace ComposeGate.Web.Data.Sqlite;

/// <summary>
/// Hangfire on the embedded default: Hangfire.Storage.SQLite in <c>hangfire.db</c> beside the app's database, private
/// like it. The embedded default runs one instance (<see cref="InstanceLock"/>), so at start-up every job still marked as fetched belonged to a
/// process that died: it is made visible again at once (instead of after the storage's invisibility timeout), and
/// that process's distributed locks are released. An enqueue wakes an idle worker (<see cref="QueueWake"/>), so the
/// poll interval only bounds how late a worker notices work enqueued by someone else.
/// </summary>
internal sealed class SqliteJobStorage(string dataDir, ILogger<SqliteJobStorage> logger) : IJobStorageProvider
{
    public const string FileName = "hangfire.db";

    /// <summary>
    /// How long a fetched job stays invisible to other workers. The storage never renews it while the job runs, and a
    /// crashed process's jobs are handed back at start-up, so it only needs to be longer than any job runs: a promotion
    /// step may run 24 h, four tries.
    /// </summary>
    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromDays(7);

    public string Name => "SQLite";

    public string File => Path.Combine(dataDir, FileName);

    public JobStorage Open(TimeSpan queuePollInterval)
    {
        // An empty file made 0600 first: SQLite gives the -wal and -shm files the database's own mode.
        DataFiles.CreatePrivateFile(File, File + "-wal", File + "-shm");
        var options = new SQLiteStorageOptions
        {
            QueuePollInterval = queuePollInterval,
            InvisibilityTimeout = InvisibilityTimeout,
            DistributedLockLifetime = TimeSpan.FromSeconds(30),
        };
        var storage = new SQLiteStorage(File, options);
        storage.QueueProviders.Add(new QueueWake(new SQLiteJobQueueProvider(options)), [EnqueuedStateQueue]);
        ReleaseTheDead(storage);
        return storage;
    }

    /// <summary>Hangfire's queue name for every job here.</summary>
    private const string EnqueuedStateQueue = "default";

    private void ReleaseTheDead(SQLiteStorage storage)
    {
        using var db = storage.CreateAndOpenConnection();
        var fetched = db.JobQueueRepository.Where(q => q.FetchedAt != DateTime.MinValue).ToList();
        foreach (var row in fetched)
        {
            row.FetchedAt = DateTime.MinValue;
            db.Database.Update(row);
        }
        var locks = db.DistributedLockRepository.Delete(l => l.Resource != null);
        if (fetched.Count > 0 || locks > 0)
        {
            logger.LogWarning("The last run stopped with {Jobs} job(s) in progress and {Locks} lock(s) held: the jobs run again now", fetched.Count, locks);
        }
    }
}

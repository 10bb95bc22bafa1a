using ComposeGate.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Data.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in the data folder, in WAL mode so pages read while jobs write, with writers
/// taking turns (<see cref="SerializedWrites"/>) because SQLite has one writer at a time.
/// </summary>
internal sealed class SqliteProvider : IDatabaseProvider
{
    public const string DatabaseFileName = "composegate.db";

    private readonly SerializedWrites writes = new();

    public SqliteProvider(string dataDir)
    {
        DatabaseFile = Path.Combine(dataDir, DatabaseFileName);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabaseFile,
            // Microsoft.Data.Sqlite retries a busy database until the command timeout, so concurrent
            // writers (UI, API, jobs) wait for each other instead of failing.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Name => "SQLite";

    public string DatabaseFile { get; }

    public string ConnectionString { get; }

    public void Configure(DbContextOptionsBuilder options) => options
        .UseSqlite(ConnectionString, sqlite => sqlite.MigrationsAssembly("ComposeGate.Migrations"))
        .AddInterceptors([new SqlitePragmas(), .. writes.Interceptors]);

    public async Task MigrateAsync(AppDbContext db, CancellationToken ct)
    {
        // SQLite would create the file with the umask's 0644, and gives its -wal and -shm files the database's own
        // mode: an empty file made 0600 first is an empty database that keeps all three private.
        DataFiles.CreatePrivateFile(DatabaseFile, DatabaseFile + "-wal", DatabaseFile + "-shm");
        await db.Database.MigrateAsync(ct);
        // WAL lets the UI read while a job writes; the mode is stored in the file, so once is enough.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }

    public Task InsertManifestAsync(AppDbContext db, string candidateId, IReadOnlyList<ManifestPackage> packages, Action<int, int> report,
        CancellationToken ct)
    {
        // Microsoft.Data.Sqlite runs commands synchronously whatever the method's name; prepared statements in the
        // caller's transaction write 60,000 rows in a fraction of a second.
        SqliteManifestWriter.Write(db, candidateId, packages, report);
        return Task.CompletedTask;
    }
}

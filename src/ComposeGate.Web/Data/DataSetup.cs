using ComposeGate.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Data;

/// <summary>Where the state lives (SQLite in the data folder) and how it is brought up to date at start-up.</summary>
internal static class DataSetup
{
    public const string DatabaseFileName = "composegate.db";

    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ComposeGateOptions.Section).Get<ComposeGateOptions>() ?? new();
        var dataDir = options.ResolveDataDir(builder.Environment.ContentRootPath);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDir, DatabaseFileName),
            // Microsoft.Data.Sqlite retries a busy database until the command timeout, so concurrent
            // writers (UI, API, jobs) wait for each other instead of failing.
            DefaultTimeout = 30,
        }.ToString();

        builder.Services.AddSingleton(new DataLocation(dataDir, connectionString));
        // Sign-in cookies and antiforgery tokens must survive restarts, so their keys live with the data.
        var keys = builder.Services.AddDataProtection()
            .SetApplicationName("ComposeGate")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, DataFiles.KeysFolder)));
        // A certificate that does not open stops the start with the other option errors (ComposeGateOptionsValidator),
        // before anything has used a key.
        if (options.DataProtection.Enabled && options.DataProtection.Open([]) is { } certificate)
        {
            keys.ProtectKeysWithCertificate(certificate);
        }
        var writes = new SerializedWrites();
        builder.Services.AddDbContextFactory<AppDbContext>(db => db
            .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly("ComposeGate.Migrations"))
            .AddInterceptors([new SqlitePragmas(), .. writes.Interceptors]));
        return builder;
    }

    /// <summary>Creates (or tightens) the data folder, applies pending migrations and switches the database to WAL.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var location = app.Services.GetRequiredService<DataLocation>();
        DataFiles.Prepare(location.DataDir, Path.Combine(location.DataDir, DatabaseFileName));
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await db.Database.MigrateAsync();
        // WAL lets the UI read while a job writes; the mode is stored in the file, so once is enough.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }
}

/// <summary>The resolved data folder and the database connection string.</summary>
public sealed record DataLocation(string DataDir, string ConnectionString);

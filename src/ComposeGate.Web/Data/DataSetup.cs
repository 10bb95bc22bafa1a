using ComposeGate.Data;
using ComposeGate.Web.Data.Sqlite;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Data;

/// <summary>
/// Where the state lives (the data folder, and the database behind <see cref="IDatabaseProvider"/>: SQLite in the data
/// folder) and how it is brought up to date at start-up.
/// </summary>
internal static class DataSetup
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ComposeGateOptions.Section).Get<ComposeGateOptions>() ?? new();
        var dataDir = options.ResolveDataDir(builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(new DataLocation(dataDir));
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
        IDatabaseProvider database = new SqliteProvider(dataDir);
        builder.Services.AddSingleton(_ => new InstanceLock(dataDir));
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<Features.Events.OutboxSignal>();
        builder.Services.AddDbContextFactory<AppDbContext>((services, context) =>
        {
            database.Configure(context);
            context.AddInterceptors(services.GetRequiredService<Features.Events.OutboxSignal>());
        });
        builder.Services.AddSingleton<IJobStorageProvider>(services =>
            new SqliteJobStorage(dataDir, services.GetRequiredService<ILogger<SqliteJobStorage>>()));
        return builder;
    }

    /// <summary>Creates (or tightens) the data folder and brings the database's schema up to date.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        DataFiles.Prepare(app.Services.GetRequiredService<DataLocation>().DataDir);
        app.Services.GetRequiredService<InstanceLock>().Hold();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await app.Services.GetRequiredService<IDatabaseProvider>().MigrateAsync(db, app.Lifetime.ApplicationStopping);
    }
}

/// <summary>The resolved data folder.</summary>
public sealed record DataLocation(string DataDir);

using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComposeGate.Web.Data.Sqlite;

/// <summary>
/// Per-connection SQLite settings. With WAL, <c>synchronous=NORMAL</c> is SQLite's recommended mode: a crash of
/// the app loses nothing and the database cannot corrupt; only a power loss may drop the last commits. It saves
/// an fsync per commit, which is what lets bots post thousands of results a second. <c>busy_timeout</c> lets
/// SQLite itself wait for a concurrent writer with short back-offs; otherwise Microsoft.Data.Sqlite retries
/// a busy database only every 150 ms.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

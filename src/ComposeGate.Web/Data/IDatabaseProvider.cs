using ComposeGate.Candidates.Productmd;
using ComposeGate.Data;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Data;

/// <summary>
/// What differs between database engines, behind one seam: how a context connects, how the schema is brought up to
/// date at start-up, and the bulk write of a manifest (tens of thousands of rows, too many for change tracking).
/// Everything else is EF Core's provider-neutral LINQ. SQLite (<c>Data/Sqlite</c>) is the embedded default.
/// </summary>
public interface IDatabaseProvider
{
    /// <summary>The engine as health checks and logs name it.</summary>
    string Name { get; }

    /// <summary>Points a context at the database, with the engine's own settings and interceptors.</summary>
    void Configure(DbContextOptionsBuilder options);

    /// <summary>Creates the database if needed and applies every pending migration.</summary>
    Task MigrateAsync(AppDbContext db, CancellationToken ct);

    /// <summary>
    /// Writes a candidate's source packages and RPMs inside the context's current transaction, reporting
    /// (written, total) RPMs as it goes.
    /// </summary>
    Task InsertManifestAsync(AppDbContext db, string candidateId, IReadOnlyList<ManifestPackage> packages, Action<int, int> report, CancellationToken ct);
}

/// <summary>A source package of a manifest being stored, with its RPMs as productmd listed them.</summary>
public sealed record ManifestPackage(string Name, int Epoch, string Version, string Release, IReadOnlyList<ManifestRpm> Rpms);

using System.Data.Common;
using ComposeGate.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ComposeGate.Web.Data.Sqlite;

/// <summary>
/// Writes a manifest with two prepared statements inside the caller's transaction: EF's change tracking would take
/// seconds for 60,000 rows, this takes a fraction of one.
/// </summary>
internal static class SqliteManifestWriter
{
    /// <summary>Progress is reported every this many RPMs.</summary>
    public const int ProgressEvery = 5_000;

    public static void Write(AppDbContext db, string candidateId, IReadOnlyList<ManifestPackage> packages, Action<int, int> report)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = (SqliteTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        using var maxId = connection.CreateCommand();
        maxId.Transaction = transaction;
        maxId.CommandText = "SELECT IFNULL(MAX(Id), 0) FROM CandidatePackages";
        var nextPackageId = (long)maxId.ExecuteScalar()! + 1;

        using var insertPackage = Prepare(connection, transaction,
            "INSERT INTO CandidatePackages (Id, CandidateId, Name, Epoch, Version, Release) VALUES ($id, $candidate, $name, $epoch, $version, $release)",
            "$id", "$candidate", "$name", "$epoch", "$version", "$release");
        using var insertRpm = Prepare(connection, transaction,
            "INSERT INTO CandidateRpms (CandidateId, PackageId, Name, Epoch, Version, Release, Arch, Variant, ComposeArch, Category, SigKey, Path) " +
            "VALUES ($candidate, $package, $name, $epoch, $version, $release, $arch, $variant, $composeArch, $category, $sigkey, $path)",
            "$candidate", "$package", "$name", "$epoch", "$version", "$release", "$arch", "$variant", "$composeArch", "$category", "$sigkey", "$path");

        var total = packages.Sum(p => p.Rpms.Count);
        var done = 0;
        foreach (var package in packages)
        {
            var packageId = nextPackageId++;
            Run(insertPackage, packageId, candidateId, package.Name, package.Epoch, package.Version, package.Release);
            foreach (var rpm in package.Rpms)
            {
                Run(insertRpm, candidateId, packageId, rpm.Rpm.Name, rpm.Rpm.Epoch, rpm.Rpm.Version, rpm.Rpm.Release, rpm.Rpm.Arch,
                    rpm.Variant, rpm.ComposeArch, rpm.Category.ToString(), (object?)rpm.SigKey ?? DBNull.Value, rpm.Path);
                if (++done % ProgressEvery == 0)
                {
                    report(done, total);
                }
            }
        }
        report(total, total);
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        command.Prepare();
        return command;
    }

    private static void Run(DbCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
        command.ExecuteNonQuery();
    }
}

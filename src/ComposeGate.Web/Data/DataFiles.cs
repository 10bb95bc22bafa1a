namespace ComposeGate.Web.Data;

/// <summary>
/// The data folder holds the database (every token hash, every session's security stamp) and the keys that sign
/// cookies, so on Linux it is the service account's alone: folders 0700, files 0600, for a new installation and,
/// tightened at every start, for one created before this rule.
/// </summary>
internal static class DataFiles
{
    public const string KeysFolder = "keys";
    public const string TemporaryFolder = "tmp";

    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the data folder with its keys and temporary folders and an empty database file, or tightens what exists.</summary>
    public static void Prepare(string dataDir, string databaseFile)
    {
        string[] folders = [dataDir, Path.Combine(dataDir, KeysFolder), Path.Combine(dataDir, TemporaryFolder)];
        if (OperatingSystem.IsWindows())
        {
            foreach (var folder in folders)
            {
                Directory.CreateDirectory(folder);
            }
            return;
        }
        foreach (var folder in folders)
        {
            Directory.CreateDirectory(folder, OwnerFolder);
            File.SetUnixFileMode(folder, OwnerFolder);
        }
        if (!File.Exists(databaseFile))
        {
            // SQLite would create the file with the umask's 0644, and gives its -wal and -shm files the database's own
            // mode: an empty file made 0600 first is an empty database that keeps all three private.
            using var created = new FileStream(databaseFile, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerFile,
            });
        }
        var files = new[] { databaseFile, databaseFile + "-wal", databaseFile + "-shm" }
            .Concat(Directory.EnumerateFiles(Path.Combine(dataDir, KeysFolder)));
        foreach (var file in files.Where(File.Exists))
        {
            File.SetUnixFileMode(file, OwnerFile);
        }
    }
}

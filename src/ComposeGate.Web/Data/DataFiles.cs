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

    /// <summary>Creates the data folder with its keys and temporary folders, or tightens what exists, key files included.</summary>
    public static void Prepare(string dataDir)
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
        foreach (var file in Directory.EnumerateFiles(Path.Combine(dataDir, KeysFolder)))
        {
            File.SetUnixFileMode(file, OwnerFile);
        }
    }

    /// <summary>
    /// Creates <paramref name="file"/> empty and private if it does not exist, and tightens it and its companions
    /// (a database's journal files) if they do.
    /// </summary>
    public static void CreatePrivateFile(string file, params string[] companions)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        if (!File.Exists(file))
        {
            using var created = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerFile,
            });
        }
        foreach (var existing in companions.Prepend(file).Where(File.Exists))
        {
            File.SetUnixFileMode(existing, OwnerFile);
        }
    }
}

namespace ComposeGate.Web.Data.Sqlite;

/// <summary>
/// The embedded default serves one instance: SQLite writers take turns inside the process, and at start-up the job
/// storage hands back the jobs of a process that died. An exclusive lock on <c>instance.lock</c> in the data folder,
/// taken before anything is migrated and held until the app stops, keeps a second process from starting on the same
/// folder. The operating system drops the lock when a process dies, SIGKILL included.
/// </summary>
internal sealed class InstanceLock(string dataDir) : IDisposable
{
    public const string FileName = "instance.lock";

    private FileStream? held;

    public void Hold()
    {
        var file = Path.Combine(dataDir, FileName);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            held ??= new FileStream(file, options);
            if (!OperatingSystem.IsWindows())
            {
                // One left by an installation from before the rule is tightened too.
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another ComposeGate process is using the data folder {dataDir} ({FileName} is locked): with SQLite, one instance " +
                "serves a data folder. Stop the other one, or give this one a data folder of its own.", e);
        }
    }

    public void Dispose() => held?.Dispose();
}

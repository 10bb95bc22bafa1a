namespace ComposeGate.Tests.Infrastructure;

/// <summary>Shell scripts the tests hand to the app as promotion commands.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class TestScript
{
    /// <summary>Writes <c>#!/bin/sh</c> and <paramref name="body"/> to an executable file in <paramref name="directory"/>.</summary>
    public static string Write(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}

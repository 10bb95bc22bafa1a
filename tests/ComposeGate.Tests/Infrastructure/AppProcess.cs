using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// The app as its own process (Production settings from environment variables), so a test can kill it with SIGKILL
/// at any moment and start it again on the same data folder. This part knows nothing of the test projects: the browser
/// tests link it to run the published app.
/// </summary>
public sealed partial class AppProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> log = [];

    private AppProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>What the app printed (warnings and errors), for a failing test's message.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return string.Join('\n', log.TakeLast(80));
            }
        }
    }

    /// <summary>Runs <paramref name="dll"/> from its own folder and waits until /healthz answers 200.</summary>
    public static async Task<AppProcess> StartDllAsync(string dll, int port, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        var app = new AppProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => app.Add(e.Data);
        process.ErrorDataReceived += (_, e) => app.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = app.Address };
        for (var attempt = 0; attempt < 240; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with {process.ExitCode}:\n{app.Log}");
            }
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return app;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        app.Kill();
        throw new TimeoutException($"The app did not become healthy:\n{app.Log}");
    }

    /// <summary>The most memory the process has held at once so far (VmHWM in /proc/&lt;pid&gt;/status), in bytes.</summary>
    public long PeakResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{process.Id}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>SIGTERM: a routine stop (systemd, a deploy); the app shuts down as it does in production.</summary>
    public void Stop()
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                Kill();
            }
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    /// <summary>The checkout these tests were built from (the folder of ComposeGate.sln).</summary>
    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ComposeGate.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new DirectoryNotFoundException($"No ComposeGate.sln above {AppContext.BaseDirectory}.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.Add(line);
            }
        }
    }
}

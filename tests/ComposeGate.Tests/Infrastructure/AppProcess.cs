using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// The app as its own process (the web project's build output, Production settings from environment variables),
/// so a test can kill it with SIGKILL at any moment and start it again on the same data folder.
/// </summary>
public sealed class AppProcess : IDisposable
{
    public const string AdminToken = ComposeGateFactory.AdminToken;

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

    public static async Task<AppProcess> StartAsync(string dataDir, int port, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [WebDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(WebDll())!,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ComposeGate__DataDir"] = dataDir;
        start.Environment["ComposeGate__Bootstrap__AdminToken"] = AdminToken;
        start.Environment["ComposeGate__Bootstrap__AdminPassword"] = ComposeGateFactory.AdminPassword;
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

    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return client;
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

    public void Dispose()
    {
        Kill();
        process.Dispose();
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

    /// <summary>The web project's own build output, built by the same configuration as these tests.</summary>
    private static string WebDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var repository = testBin;
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "ComposeGate.sln")))
        {
            repository = repository.Parent;
        }
        var dll = Path.Combine(repository!.FullName, "src", "ComposeGate.Web", "bin", configuration, framework, "ComposeGate.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
    }
}

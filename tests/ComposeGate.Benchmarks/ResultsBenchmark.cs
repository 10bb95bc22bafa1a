using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ComposeGate.Benchmarks;

/// <summary>
/// Results posted per second by 32 concurrent clients against the published app on loopback (each post
/// recomputes its candidate's decision), compared with GET /healthz on the same server, plus latency
/// percentiles and the time to decide a candidate with 5,000 results and 50 requirements.
/// Targets on a 2-core machine: ≥ 2,000 results/s, ≥ 0.3 of healthz throughput; decision ≤ 10 ms.
/// </summary>
internal static class ResultsBenchmark
{
    private const int Clients = 32;
    internal const string Token = "results-benchmark-admin-token-0123456789";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    public static async Task RunAsync()
    {
        var work = Path.Combine(Path.GetTempPath(), "composegate-results-benchmark", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        Process? app = null;
        try
        {
            var published = await PublishAsync(Path.Combine(work, "app"));
            var port = FreePort();
            app = Start(published, Path.Combine(work, "data"), port);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients * 2 })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            await WaitHealthyAsync(http);
            var candidates = await SetUpAsync(http);

            var health = await LoadAsync(http, (client, _) => client.GetAsync("/healthz"));
            Console.WriteLine($"GET /healthz:      {health.PerSecond,8:F0} req/s   p50 {health.P50:F1} ms   p99 {health.P99:F1} ms   ({health.Count} requests, {health.Errors} errors)");

            var outcomes = new[] { "PASSED", "PASSED", "PASSED", "FAILED", "RUNNING", "INFO" };
            var results = await LoadAsync(http, (client, n) => client.PostAsync($"/api/v1/candidates/{candidates[n % candidates.Count]}/results",
                Json(new { testcase = $"bench.t{n % 50:00}", outcome = outcomes[n % outcomes.Length], scenario = n % 3 == 0 ? "x86_64" : null })));
            Console.WriteLine($"POST results:      {results.PerSecond,8:F0} results/s   p50 {results.P50:F1} ms   p99 {results.P99:F1} ms   ({results.Count} results, {results.Errors} errors)");
            Console.WriteLine($"ratio to healthz:  {results.PerSecond / health.PerSecond,8:F2}   (targets: ≥ 2,000 results/s, ≥ 0.30)");

            // A candidate with 5,000 results and a 50-requirement policy, decided from scratch on each request.
            var big = candidates[0];
            var count = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{big}/results")).GetArrayLength();
            for (var n = count; n < 5000; n++)
            {
                (await http.PostAsync($"/api/v1/candidates/{big}/results", Json(new { testcase = $"bench.t{n % 50:00}", outcome = "PASSED" }))).EnsureSuccessStatusCode();
            }
            var timings = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var watch = Stopwatch.StartNew();
                (await http.GetAsync($"/api/v1/candidates/{big}/decision")).EnsureSuccessStatusCode();
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }
            timings.Sort();
            var results5000 = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{big}/results")).GetArrayLength();
            Console.WriteLine($"GET decision:      p50 {timings[timings.Count / 2]:F1} ms   p99 {timings[(int)(timings.Count * 0.99)]:F1} ms   "
                + $"({results5000:N0} results, 50 requirements; the whole HTTP request, target ≤ 10 ms)");
        }
        finally
        {
            if (app is { HasExited: false })
            {
                app.Kill(entireProcessTree: true);
                await app.WaitForExitAsync();
            }
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<List<string>> SetUpAsync(HttpClient http)
    {
        (await http.PostAsync("/api/v1/streams", Json(new { name = "bench", kind = "compose" }))).EnsureSuccessStatusCode();
        var policy = new StringBuilder("requires:\n");
        for (var i = 0; i < 50; i++)
        {
            policy.Append(CultureInvariant($"  - testcase: bench.t{i:00}\n"));
        }
        (await http.PutAsync("/api/v1/streams/bench/policy", new StringContent(policy.ToString(), Encoding.UTF8, "text/yaml"))).EnsureSuccessStatusCode();
        var ids = new List<string>();
        for (var day = 1; day <= 4; day++)
        {
            var id = CultureInvariant($"CentOS-Stream-10-202611{day:00}.0");
            var composeinfo = new
            {
                header = new { type = "productmd.composeinfo", version = "1.2" },
                payload = new
                {
                    compose = new { id, date = CultureInvariant($"202611{day:00}"), respin = 0, type = "production" },
                    release = new { name = "CentOS Stream", @short = "CentOS-Stream", version = "10" },
                },
            };
            var rpms = new
            {
                header = new { type = "productmd.rpms", version = "1.2" },
                payload = new
                {
                    compose = new { id },
                    rpms = new Dictionary<string, object>
                    {
                        ["BaseOS"] = new Dictionary<string, object>
                        {
                            ["x86_64"] = new Dictionary<string, object>
                            {
                                ["bash-0:5.2.26-4.el10.src"] = new Dictionary<string, object>
                                {
                                    ["bash-0:5.2.26-4.el10.src"] = new { path = "BaseOS/source/tree/Packages/b/bash-5.2.26-4.el10.src.rpm", sigkey = (string?)null, category = "source" },
                                    ["bash-0:5.2.26-4.el10.x86_64"] = new { path = "BaseOS/x86_64/os/Packages/b/bash-5.2.26-4.el10.x86_64.rpm", sigkey = (string?)null, category = "binary" },
                                },
                            },
                        },
                    },
                },
            };
            (await http.PostAsync("/api/v1/streams/bench/candidates", Json(new { composeinfo, rpms }))).EnsureSuccessStatusCode();
            ids.Add(id);
        }
        return ids;
    }

    private sealed record Load(int Count, int Errors, double PerSecond, double P50, double P99);

    /// <summary>32 clients send requests back to back for a fixed time; bounded in time, loopback only.</summary>
    private static async Task<Load> LoadAsync(HttpClient http, Func<HttpClient, int, Task<HttpResponseMessage>> send)
    {
        var latencies = new List<double>[Clients];
        var errors = 0;
        var sequence = 0;
        var stop = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            var mine = latencies[client] = [];
            while (stop.Elapsed < Duration)
            {
                var watch = Stopwatch.StartNew();
                using var response = await send(http, Interlocked.Increment(ref sequence));
                mine.Add(watch.Elapsed.TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new Load(all.Count, errors, all.Count / elapsed, all[all.Count / 2], all[(int)(all.Count * 0.99)]);
    }

    internal static async Task<string> PublishAsync(string output)
    {
        var repository = FindRepository();
        var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", Path.Combine(repository, "src", "ComposeGate.Web"), "-c", "Release", "-o", output, "--nologo", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
        })!;
        await publish.StandardOutput.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet publish failed.");
        }
        return Path.Combine(output, "ComposeGate.Web.dll");
    }

    internal static Process Start(string dll, string dataDir, int port, IReadOnlyDictionary<string, string>? settings = null)
    {
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ComposeGate__DataDir"] = dataDir;
        start.Environment["ComposeGate__Bootstrap__AdminToken"] = Token;
        start.Environment["ComposeGate__Bootstrap__AdminPassword"] = "Benchmark-2026";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitHealthyAsync(HttpClient http)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("The app did not become healthy.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ComposeGate.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run the benchmark from within the repository.");
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}

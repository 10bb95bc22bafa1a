using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Candidates.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

// Candidate ingest and diff at full size: two productmd composes of 10,000 source packages and about
// 60,000 RPMs with realistic and tricky EVRs, through the real app (HTTP pipeline, SQLite file).
// Targets on a 2-core machine: ingest ≤ 2 s, diff ≤ 100 ms, peak RSS ≤ 400 MB.
internal static class IngestBenchmark
{
    public static async Task RunAsync()
    {
        // The app's settings are copied beside this program; outside a test project WebApplicationFactory needs told.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_COMPOSEGATE_WEB", AppContext.BaseDirectory);
        var work = Path.Combine(Path.GetTempPath(), "composegate-benchmark", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        const string token = "benchmark-admin-token-0123456789abcdefghij";
        try
        {
            var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { Date = "20261119", Seed = 42 });
            var current = previous.Next(new NextOptions { Upgraded = 1500, Downgraded = 200, Added = 300, Removed = 150, RpmEqual = 100 });
            var previousDir = previous.WriteTo(Path.Combine(work, "composes"));
            var currentBody = Path.Combine(work, "current-body.json");
            await using (var body = File.Create(currentBody))
            {
                // The inline form: {"composeinfo": …, "rpms": …}
                body.Write("{\"composeinfo\":"u8);
                current.WriteComposeInfo(body);
                body.Write(",\"rpms\":"u8);
                current.WriteRpms(body);
                body.Write("}"u8);
            }
            Console.WriteLine($"composes: {previous.Packages.Count:N0} / {current.Packages.Count:N0} source packages, {previous.RpmEntryCount:N0} / {current.RpmEntryCount:N0} RPMs, "
                + $"inline body {new FileInfo(currentBody).Length / 1048576.0:F1} MiB");

            await using var app = new BenchmarkApp(Path.Combine(work, "data"), token, Path.Combine(work, "composes"));
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await client.PostAsJsonAsync("/api/v1/streams", new { name = "bench", kind = "compose" })).EnsureSuccessStatusCode();

            var byUrl = await TimeAsync(async () =>
                (await client.PostAsJsonAsync("/api/v1/streams/bench/candidates", new { url = previousDir })).EnsureSuccessStatusCode());
            var inline = await TimeAsync(async () =>
            {
                await using var file = File.OpenRead(currentBody);
                using var content = new StreamContent(file);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                (await client.PostAsync("/api/v1/streams/bench/candidates", content)).EnsureSuccessStatusCode();
            });
            Console.WriteLine($"ingest by url:    {byUrl.TotalMilliseconds,8:F0} ms   (target ≤ 2000)");
            Console.WriteLine($"ingest inline:    {inline.TotalMilliseconds,8:F0} ms   (target ≤ 2000)");

            JsonElement diff = default;
            var cold = await TimeAsync(async () => diff = await client.GetFromJsonAsync<JsonElement>(
                $"/api/v1/candidates/{current.ComposeId}/diff?against={previous.ComposeId}"));
            var warm = await TimeAsync(async () => await client.GetFromJsonAsync<JsonElement>(
                $"/api/v1/candidates/{current.ComposeId}/diff?against={previous.ComposeId}"));
            var binary = await TimeAsync(async () => await client.GetFromJsonAsync<JsonElement>(
                $"/api/v1/candidates/{current.ComposeId}/diff?against={previous.ComposeId}&level=binary"));
            Console.WriteLine($"diff (source):    {cold.TotalMilliseconds,8:F0} ms   first request: both manifests read from SQLite (target ≤ 100)");
            Console.WriteLine($"diff (cached):    {warm.TotalMilliseconds,8:F0} ms");
            Console.WriteLine($"diff (binary):    {binary.TotalMilliseconds,8:F0} ms   first request, ~60,000 RPMs a side");

            // The verdicts must be rpm's, not just fast.
            var expected = current.ExpectedVerdicts.Values.GroupBy(v => v).ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => g.Count());
            foreach (var kind in new[] { "added", "removed", "upgraded", "downgraded" })
            {
                var got = diff.GetProperty(kind).GetArrayLength();
                if (got != expected.GetValueOrDefault(kind))
                {
                    throw new InvalidOperationException($"{kind}: {got}, expected {expected.GetValueOrDefault(kind)}");
                }
            }
            if (diff.GetProperty("unchanged").GetInt32() != expected.GetValueOrDefault("unchanged"))
            {
                throw new InvalidOperationException("unchanged count differs from the generator's verdicts");
            }
            Console.WriteLine("verdicts:         match the generator's rpm-ordered expectations");

            // The same again on a warmed-up server (code compiled, caches empty for the new pair): the steady state.
            var next = current.Next(new NextOptions { Upgraded = 1500, Downgraded = 200, Added = 300, Removed = 150, RpmEqual = 100 });
            var nextDir = next.WriteTo(Path.Combine(work, "composes"));
            var warmIngest = await TimeAsync(async () =>
                (await client.PostAsJsonAsync("/api/v1/streams/bench/candidates", new { url = nextDir })).EnsureSuccessStatusCode());
            var warmDiff = await TimeAsync(async () => await client.GetFromJsonAsync<JsonElement>(
                $"/api/v1/candidates/{next.ComposeId}/diff?against={current.ComposeId}"));
            Console.WriteLine($"warm server:      ingest by url {warmIngest.TotalMilliseconds:F0} ms, source diff {warmDiff.TotalMilliseconds:F0} ms (uncached pair)");

            using var self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine($"peak RSS:         {self.PeakWorkingSet64 / 1048576.0,8:F0} MiB (whole process: generator, app and both ingests; target ≤ 400)");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }

    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
        {
            var watch = Stopwatch.StartNew();
            await action();
            return watch.Elapsed;
        }
}

internal sealed class BenchmarkApp(string dataDir, string token, string composes) : WebApplicationFactory<global::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ComposeGate:DataDir", dataDir);
        builder.UseSetting("ComposeGate:Bootstrap:AdminToken", token);
        builder.UseSetting("ComposeGate:Bootstrap:AdminPassword", "Benchmark-2026");
        // Composes by URL are read from local folders only under the allowed roots (the generated ones live here).
        builder.UseSetting("ComposeGate:Sources:AllowedRoots:0", composes);
        builder.UseSetting("Logging:LogLevel:Default", "Error");
    }
}

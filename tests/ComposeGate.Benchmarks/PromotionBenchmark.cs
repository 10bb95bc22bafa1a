using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ComposeGate.Benchmarks;

/// <summary>
/// Time from the result that satisfies a <c>promote: auto</c> policy to the candidate being <c>promoted</c>, with a
/// Publish step into a local mirror tree (hard links, atomic link switch) and the built-in git forge, against the
/// published app on loopback. Target: ≤ 1 s median.
/// </summary>
internal static class PromotionBenchmark
{
    private const int Candidates = 20;

    public static async Task RunAsync()
    {
        var work = Path.Combine(Path.GetTempPath(), "composegate-promotion-benchmark", Guid.NewGuid().ToString("N"));
        var production = Path.Combine(work, "production");
        Directory.CreateDirectory(production);
        Process? app = null;
        try
        {
            var published = await ResultsBenchmark.PublishAsync(Path.Combine(work, "app"));
            var port = ResultsBenchmark.FreePort();
            app = ResultsBenchmark.Start(published, Path.Combine(work, "data"), port, new Dictionary<string, string>
            {
                ["ComposeGate:Streams:cs10:Promotion:0:Publish:Root"] = Path.Combine(work, "mirror"),
                ["ComposeGate:Streams:cs10:Promotion:0:Publish:Link"] = "latest-CentOS-Stream-10",
                // Composes by URL are read from local folders only under the allowed roots.
                ["ComposeGate:Sources:AllowedRoots:0"] = production,
            });
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ResultsBenchmark.Token);
            await ResultsBenchmark.WaitHealthyAsync(http);
            (await http.PutAsync("/api/v1/streams/cs10/policy",
                new StringContent("requires:\n  - testcase: t_functional\npromote: auto\n", Encoding.UTF8, "text/yaml"))).EnsureSuccessStatusCode();

            var timings = new List<double>();
            for (var n = 0; n < Candidates; n++)
            {
                var id = $"CentOS-Stream-10-202611{(n + 1):00}.0";
                var directory = WriteCompose(production, id, n);
                (await http.PostAsJsonAsync("/api/v1/streams/cs10/candidates", new { url = directory })).EnsureSuccessStatusCode();
                var watch = Stopwatch.StartNew();
                (await http.PostAsJsonAsync($"/api/v1/candidates/{id}/results", new { testcase = "t_functional", outcome = "PASSED" })).EnsureSuccessStatusCode();
                while ((await http.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{id}")).GetProperty("status").GetString() != "promoted")
                {
                    if (watch.Elapsed > TimeSpan.FromMinutes(1))
                    {
                        throw new TimeoutException($"{id} was not promoted within a minute.");
                    }
                    await Task.Delay(10);
                }
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }
            timings.Sort();
            Console.WriteLine($"satisfying result → promoted ({Candidates} composes, Publish to a local mirror, local forge): " +
                $"median {timings[timings.Count / 2]:F0} ms, p90 {timings[(int)(timings.Count * 0.9)]:F0} ms, max {timings[^1]:F0} ms (target ≤ 1,000 ms median)");
        }
        finally
        {
            app?.Kill();
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A pungi-shaped compose directory: metadata for 300 source packages and a few hundred small files to publish.</summary>
    private static string WriteCompose(string top, string id, int n)
    {
        var directory = Path.Combine(top, id);
        var metadata = Path.Combine(directory, "compose", "metadata");
        Directory.CreateDirectory(metadata);
        File.WriteAllText(Path.Combine(directory, "STATUS"), "FINISHED\n");
        var date = id.Split('-')[^1].Split('.')[0];
        File.WriteAllText(Path.Combine(metadata, "composeinfo.json"), $$$"""
            {"header":{"type":"productmd.composeinfo","version":"1.2"},"payload":{"compose":{"id":"{{{id}}}","date":"{{{date}}}","type":"production","respin":0},
             "release":{"name":"CentOS Stream","short":"CentOS-Stream","version":"10","type":"ga","is_layered":false},
             "variants":{"BaseOS":{"id":"BaseOS","uid":"BaseOS","name":"BaseOS","type":"variant","arches":["x86_64"],"paths":{} } } } }
            """);
        var rpms = new StringBuilder();
        rpms.Append($$$"""{"header":{"type":"productmd.rpms","version":"1.2"},"payload":{"compose":{"id":"{{{id}}}","date":"{{{date}}}","type":"production","respin":0},"rpms":{"BaseOS":{"x86_64":{""");
        for (var p = 0; p < 300; p++)
        {
            var srpm = $"pkg{p:000}-0:1.{n}-1.el10.src";
            rpms.Append(p == 0 ? "" : ",");
            rpms.Append($$$"""
                "{{{srpm}}}":{"{{{srpm}}}":{"category":"source","path":"Packages/pkg{{{p:000}}}.src.rpm","sigkey":null},
                "pkg{{{p:000}}}-0:1.{{{n}}}-1.el10.x86_64":{"category":"binary","path":"Packages/pkg{{{p:000}}}.rpm","sigkey":null}}
                """);
        }
        rpms.Append("}}}}}");
        File.WriteAllText(Path.Combine(metadata, "rpms.json"), rpms.ToString());
        var packages = Path.Combine(directory, "compose", "BaseOS", "x86_64", "os", "Packages");
        Directory.CreateDirectory(packages);
        for (var p = 0; p < 300; p++)
        {
            File.WriteAllText(Path.Combine(packages, $"pkg{p:000}-1.{n}-1.el10.x86_64.rpm"), new string('x', 4096));
        }
        return directory;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.Tests.Promotion;

/// <summary>
/// The app is killed with SIGKILL (a crash) or stopped with SIGTERM (a routine restart) in the middle of a promotion
/// and started again: the promotion finishes exactly once, by the same Hangfire job (its storage survives the kill; a
/// stop puts the job back in its queue rather than failing it). The step that had completed is not run again, the
/// interrupted step runs again, later steps run once, the link points at the compose, and the merge request is merged once.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PromotionCrashTests : IDisposable
{
    private const string Link = "latest-CentOS-Stream-10";
    private readonly string work = Path.Combine(Path.GetTempPath(), "composegate-crash", Guid.NewGuid().ToString("N"));

    public PromotionCrashTests() => Directory.CreateDirectory(work);

    public void Dispose()
    {
        var pidFile = Path.Combine(work, "hang.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        Directory.Delete(work, recursive: true);
    }

    [Theory]
    [InlineData("SIGKILL")]
    [InlineData("SIGTERM")]
    public async Task StoppedMidPromotion_RestartFinishesItExactlyOnce_WithTheSameJob(string how)
    {
        var data = Path.Combine(work, "data");
        var mirror = Path.Combine(work, "mirror");
        var started = Path.Combine(work, "step2-started");
        var counter = Path.Combine(work, "step3-runs");
        var hang = TestScript.Write(work, "hang.sh", $"""
            if [ "$COMPOSEGATE_STEP_TRY" -gt 1 ]; then echo "resumed on try $COMPOSEGATE_STEP_TRY"; exit 0; fi
            echo $$ > {work}/hang.pid
            touch {started}
            sleep 300
            """);
        var count = TestScript.Write(work, "count.sh", $"echo run >> {counter}");
        var settings = new Dictionary<string, string>
        {
            ["ComposeGate:Streams:cs10:Promotion:0:Publish:Root"] = mirror,
            ["ComposeGate:Streams:cs10:Promotion:0:Publish:Link"] = Link,
            ["ComposeGate:Streams:cs10:Promotion:1:Command:Path"] = hang,
            ["ComposeGate:Streams:cs10:Promotion:2:Command:Path"] = count,
            ["ComposeGate:Promotion:SweepSeconds"] = "2",
            ["ComposeGate:Sources:AllowedRoots:0"] = Path.Combine(work, "production"),
        };
        var compose = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
        var source = compose.WriteTo(Path.Combine(work, "production"));
        var port = AppProcess.FreePort();
        string? job;

        using (var first = await AppProcess.StartAsync(data, port, settings))
        {
            using var admin = first.CreateAdminClient();
            Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/streams/cs10/policy",
                new StringContent("requires:\n  - testcase: t_functional\n", Encoding.UTF8, "text/yaml"))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/streams/cs10/candidates", new { url = source })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/results",
                new { testcase = "t_functional", outcome = "PASSED" })).StatusCode);
            for (var i = 0; i < 600 && !File.Exists(started); i++)
            {
                await Task.Delay(50);
            }
            Assert.True(File.Exists(started), $"The promotion never reached its second step.\n{first.Log}");
            Assert.Equal(compose.Id, new FileInfo(Path.Combine(mirror, Link)).LinkTarget);
            job = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/api/v1/jobs")).GetProperty("running").EnumerateArray()).GetProperty("job").GetString();
            Assert.NotNull(job);

            if (how == "SIGKILL")
            {
                first.Kill();
            }
            else
            {
                first.Stop();
            }
        }

        using var second = await AppProcess.StartAsync(data, port, settings);
        using var client = second.CreateAdminClient();
        await client.WaitForStatusAsync(compose.Id, "promoted");

        var attempt = Assert.Single((await client.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/promotion")).EnumerateArray());
        var steps = attempt.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal([1, 2, 1], steps.Select(s => s.GetProperty("tries").GetInt32()));
        Assert.All(steps, s => Assert.Equal("succeeded", s.GetProperty("status").GetString()));
        Assert.Contains("resumed on try 2", steps[1].GetProperty("output").GetString());
        Assert.Equal(["run"], File.ReadAllLines(counter));
        // Hangfire's storage survived the kill: the same job ran the attempt to its end (the sweep enqueued no other).
        var recent = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/api/v1/jobs")).GetProperty("recent").EnumerateArray());
        Assert.Equal(job, recent.GetProperty("job").GetString());
        Assert.Equal(compose.Id, new FileInfo(Path.Combine(mirror, Link)).LinkTarget);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(mirror), e => Path.GetFileName(e).StartsWith('.'));
        var events = await client.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/events");
        Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "candidate.promoted");

        // The merge request is merged, by one merge commit on the target branch.
        JsonElement candidate = default;
        for (var i = 0; i < 300; i++)
        {
            candidate = await client.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}");
            if (candidate.GetProperty("mergeRequest").ValueKind == JsonValueKind.Object && candidate.GetProperty("mergeRequest").GetProperty("state").GetString() == "merged")
            {
                break;
            }
            await Task.Delay(50);
        }
        Assert.Equal("merged", candidate.GetProperty("mergeRequest").GetProperty("state").GetString());
        var git = new ComposeGate.Web.Forge.Local.Git(Path.Combine(data, "compose-repo.git"));
        var merges = (await git.RunAsync("log", "--merges", "--format=%s", "main")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(merges);
    }
}

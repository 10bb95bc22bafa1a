using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Forge;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Promotion;

/// <summary>
/// The promotion engine with real parts: composes in real directories published into a real mirror tree, real
/// scripts, a real HTTP receiver, the built-in git forge. A satisfied candidate of a <c>promote: auto</c> stream
/// promotes by itself; a failing step fails the candidate, keeps what was published and opens an issue.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PromotionEngineTests : IDisposable
{
    private const string Link = "latest-CentOS-Stream-10";
    private static readonly TestPackage[] Packages = [new("bash", "0:5.2.26-4.el10", "bash"), new("zlib", "0:1.3-1.el10", "zlib", "zlib-devel")];

    private readonly string work = Path.Combine(Path.GetTempPath(), "composegate-promotion", Guid.NewGuid().ToString("N"));
    private string Production => Path.Combine(work, "production");
    private string Mirror => Path.Combine(work, "mirror");

    public PromotionEngineTests() => Directory.CreateDirectory(Production);

    public void Dispose()
    {
        MakeWritable(Mirror);
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task AutoPublish_LastResultPromotes_ThenAReadOnlyMirrorFailsTheNext_KeepsTheLink_AndRetryCompletes()
    {
        using var app = App(("Publish:Root", Mirror), ("Publish:Link", Link));
        using var admin = app.CreateAdminClient();
        await SetPolicyAsync(admin, "requires:\n  - testcase: t_functional\npromote: auto\n");

        var first = await IngestAsync(admin, "CentOS-Stream-10-20261119.0");
        await ReportAsync(admin, first.Id, "PASSED");

        await admin.WaitForStatusAsync(first.Id, "promoted");
        Assert.Equal(first.Id, new FileInfo(Path.Combine(Mirror, Link)).LinkTarget);
        Assert.Equal(Tree(first.Directory), Tree(Path.Combine(Mirror, first.Id)));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Mirror), e => Path.GetFileName(e).StartsWith('.'));
        await app.WaitForMergeRequestAsync(first.Id, MergeRequestState.Merged);
        var timeline = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{first.Id}/events");
        var promoted = Assert.Single(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == "candidate.promoted");
        Assert.Contains("policy: promote auto", promoted.GetProperty("summary").GetString());
        var history = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{first.Id}/promotion");
        var step = Assert.Single(Assert.Single(history.EnumerateArray()).GetProperty("steps").EnumerateArray());
        Assert.Equal("succeeded", step.GetProperty("status").GetString());
        Assert.Contains($"Switched {Link}: (none) → {first.Id}", step.GetProperty("output").GetString());

        // The mirror becomes read-only: the next candidate fails and users keep the first one.
        MakeReadOnly(Mirror);
        var second = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");
        await ReportAsync(admin, second.Id, "PASSED");

        var failed = await admin.WaitForStatusAsync(second.Id, "failed");
        Assert.Contains("Publish", failed.GetProperty("statusReason").GetString());
        Assert.Equal(first.Id, new FileInfo(Path.Combine(Mirror, Link)).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(Mirror, second.Id)));
        failed = await admin.WaitForIssueAsync(second.Id);
        Assert.Contains($"Promotion of {second.Id} failed", Assert.Single(failed.GetProperty("issues").EnumerateArray()).GetProperty("title").GetString());
        var body = await app.WithDbAsync(db => db.Issues.Where(i => i.CandidateId == second.Id).Select(i => i.Body).SingleAsync());
        Assert.Contains("what was published before is unchanged", body);
        var events = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{second.Id}/events");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "candidate.failed");
        await app.WaitForMergeRequestAsync(first.Id, MergeRequestState.Merged);
        await app.WaitForMergeRequestAsync(second.Id, MergeRequestState.Opened);

        // Fixed: a release engineer retries, and the second compose is published next to the first.
        MakeWritable(Mirror);
        using var engineer = app.CreateClient(await app.MintTokenAsync("relman", "ReleaseEngineer"));
        Assert.Equal(HttpStatusCode.Accepted, (await engineer.PostAsync($"/api/v1/candidates/{second.Id}/promote", null)).StatusCode);
        await admin.WaitForStatusAsync(second.Id, "promoted");
        Assert.Equal(second.Id, new FileInfo(Path.Combine(Mirror, Link)).LinkTarget);
        Assert.Equal(Tree(second.Directory), Tree(Path.Combine(Mirror, second.Id)));
        Assert.True(Directory.Exists(Path.Combine(Mirror, first.Id)));
        var attempts = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{second.Id}/promotion")).EnumerateArray().ToList();
        Assert.Equal(["failed", "succeeded"], attempts.Select(a => a.GetProperty("status").GetString()));
        Assert.Equal("retry", attempts[1].GetProperty("trigger").GetString());
        await app.WaitForMergeRequestAsync(second.Id, MergeRequestState.Merged);
    }

    [Fact]
    public async Task ManualPolicy_SatisfiedCandidateWaitsForAReleaseEngineer()
    {
        using var app = App(("Publish:Root", Mirror), ("Publish:Link", Link));
        using var admin = app.CreateAdminClient();
        await SetPolicyAsync(admin, "requires:\n  - testcase: t_functional\npromote: manual\n");
        var compose = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");
        await ReportAsync(admin, compose.Id, "PASSED");

        // The sweep looks for approved candidates too; run it now rather than waiting for it.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/v1/jobs/promotion/run", null)).StatusCode);
        await WaitForJobRunAsync(admin, "promotion");
        Assert.Equal("approved", (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}")).GetProperty("status").GetString());
        Assert.False(Path.Exists(Path.Combine(Mirror, Link)));

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/candidates/{compose.Id}/promote", null)).StatusCode);
        await admin.WaitForStatusAsync(compose.Id, "promoted");
        Assert.Equal(compose.Id, new FileInfo(Path.Combine(Mirror, Link)).LinkTarget);
    }

    [Fact]
    public async Task WebhookThenCommand_TransientRefusalIsRetried_CommandGetsTheCandidateFacts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(refusals: 1);
        var script = Script("facts.sh", $"""
            echo "candidate=$COMPOSEGATE_CANDIDATE stream=$COMPOSEGATE_STREAM kind=$COMPOSEGATE_KIND attempt=$COMPOSEGATE_ATTEMPT"
            echo "source=$COMPOSEGATE_SOURCE"
            echo "secrets=$(env | grep -ci composegate__ || true)"
            echo "to stderr" >&2
            """);
        using var app = App(
            ("Webhook:Url", new Uri(receiver.Address, "/hook").ToString()), ("Webhook:Secret", "promotion-hook-secret-0123"),
            ("Command:Path", script), ("Command:Args:0", "--sync"));
        using var admin = app.CreateAdminClient();
        await SetPolicyAsync(admin, "requires:\n  - testcase: t_functional\n");
        var compose = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");
        await ReportAsync(admin, compose.Id, "PASSED");

        await admin.WaitForStatusAsync(compose.Id, "promoted");
        var calls = receiver.Requests.Where(r => r.Event == "candidate.promoting").ToList();
        Assert.Equal([500, 204], calls.Select(c => c.Status));
        Assert.Single(calls.Select(c => c.Delivery).Distinct());
        Assert.All(calls, c => Assert.Equal(ComposeGate.Web.Features.Events.WebhookSender.Sign("promotion-hook-secret-0123", c.Body), c.Signature));
        Assert.Equal(compose.Id, JsonDocument.Parse(calls[0].Body).RootElement.GetProperty("candidate").GetString());

        var steps = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/promotion")).EnumerateArray())
            .GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(2, steps[0].GetProperty("tries").GetInt32());
        var output = steps[1].GetProperty("output").GetString()!;
        Assert.Contains($"candidate={compose.Id} stream=cs10 kind=compose attempt=1", output);
        Assert.Contains($"source={compose.Directory}", output);
        Assert.Contains("secrets=0", output);
        Assert.Contains("to stderr", output);
    }

    [Fact]
    public async Task FailingCommand_FailsTheCandidate_SkipsLaterSteps_IssueQuotesItsOutput()
    {
        var marker = Path.Combine(work, "later-step-ran");
        var failing = Script("fail.sh", "echo 'rsync: connection refused (111)'\nexit 3");
        var later = Script("later.sh", $"touch {marker}");
        using var app = App(("Command:Path", failing), ("Command:Path", later));
        using var admin = app.CreateAdminClient();
        await SetPolicyAsync(admin, "requires:\n  - testcase: t_functional\n");
        var compose = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");
        await ReportAsync(admin, compose.Id, "PASSED");

        var failed = await admin.WaitForStatusAsync(compose.Id, "failed");
        Assert.Contains("exited with code 3", failed.GetProperty("statusReason").GetString());
        Assert.False(File.Exists(marker));
        var steps = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/promotion")).EnumerateArray())
            .GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
        Assert.Equal(["failed", "pending"], steps);
        await admin.WaitForIssueAsync(compose.Id);
        var body = await app.WithDbAsync(db => db.Issues.Where(i => i.CandidateId == compose.Id).Select(i => i.Body).SingleAsync());
        Assert.Contains("rsync: connection refused (111)", body);
        Assert.Contains($"POST /api/v1/candidates/{compose.Id}/promote", body);
    }

    [Fact]
    public async Task OverrunningCommand_IsKilled_AndTheCandidateFails()
    {
        var pidFile = Path.Combine(work, "sleeper.pid");
        var sleeper = Script("sleep.sh", $"echo $$ > {pidFile}\nsleep 60");
        using var app = App(("Command:Path", sleeper), ("Command:TimeoutSeconds", "1"));
        using var admin = app.CreateAdminClient();
        await SetPolicyAsync(admin, "requires:\n  - testcase: t_functional\n");
        var compose = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");
        await ReportAsync(admin, compose.Id, "PASSED");

        var failed = await admin.WaitForStatusAsync(compose.Id, "failed");
        Assert.Contains("did not finish within 1 s and was killed", failed.GetProperty("statusReason").GetString());
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}"), "The timed-out script is still running.");
    }

    [Fact]
    public async Task Cancel_InterruptsTheRunningStep_CandidateFailsAndCanBeRetried()
    {
        var sleeper = Script("sleep.sh", "sleep 60");
        using var app = App(("Command:Path", sleeper), ("Command:TimeoutSeconds", "120"));
        using var admin = app.CreateAdminClient();
        await SetPolicyAsync(admin, "requires:\n  - testcase: t_functional\n");
        var compose = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");
        await ReportAsync(admin, compose.Id, "PASSED");
        await admin.WaitForStatusAsync(compose.Id, "promoting");
        using var tester = app.CreateClient(await app.MintTokenAsync("tester", "Tester"));
        Assert.Equal(HttpStatusCode.Forbidden, (await tester.PostAsync($"/api/v1/candidates/{compose.Id}/promotion/cancel", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/candidates/{compose.Id}/promotion/cancel", null)).StatusCode);

        var failed = await admin.WaitForStatusAsync(compose.Id, "failed");
        Assert.Contains("cancelled by", failed.GetProperty("statusReason").GetString());
        var attempt = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/promotion")).EnumerateArray());
        Assert.Equal("cancelled", attempt.GetProperty("status").GetString());
        await Problem.ReadAsync(await admin.PostAsync($"/api/v1/candidates/{compose.Id}/promotion/cancel", null), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task OlderCandidate_CannotBePromotedWhileANewerOneIs_AndIsSupersededAfterwards()
    {
        var release = Path.Combine(work, "release");
        var gate = Script("gate.sh", $"for i in $(seq 1 600); do [ -e {release} ] && exit 0; sleep 0.1; done; exit 1");
        using var app = App(("Command:Path", gate), ("Command:TimeoutSeconds", "120"));
        using var admin = app.CreateAdminClient();
        await SetPolicyAsync(admin, "requires:\n  - testcase: t_functional\npromote: manual\n");
        var older = await IngestAsync(admin, "CentOS-Stream-10-20261119.0");
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var newer = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");
        await ReportAsync(admin, older.Id, "PASSED");
        await ReportAsync(admin, newer.Id, "PASSED");

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/candidates/{newer.Id}/promote", null)).StatusCode);
        var refused = await Problem.ReadAsync(await admin.PostAsync($"/api/v1/candidates/{older.Id}/promote", null), HttpStatusCode.Conflict);
        Assert.Contains($"The newer candidate '{newer.Id}' of this stream is promoting", refused.Detail);
        Assert.Equal("approved", (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{older.Id}")).GetProperty("status").GetString());

        File.WriteAllText(release, "");
        await admin.WaitForStatusAsync(newer.Id, "promoted");
        Assert.Equal("superseded", (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{older.Id}")).GetProperty("status").GetString());
    }

    [Fact]
    public void Startup_BadPromotionActions_FailsListingEveryError()
    {
        using var app = new ComposeGateFactory();
        var key = "ComposeGate:Streams:cs10:Promotion";
        app.Settings[$"{key}:0:Publish:Root"] = "relative/mirror";
        app.Settings[$"{key}:0:Publish:Link"] = "../escape";
        app.Settings[$"{key}:1:Webhook:Url"] = "ftp://example.org/";
        app.Settings[$"{key}:1:Webhook:Secret"] = "short";
        app.Settings[$"{key}:2:Command:Path"] = "/bin/true";
        app.Settings[$"{key}:2:Retag:Tag"] = "stable";

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        var message = error.ToString();
        Assert.Contains($"{key}:0:Publish:Root 'relative/mirror' must be an absolute directory path", message);
        Assert.Contains($"{key}:0:Publish:Link '../escape'", message);
        Assert.Contains($"{key}:1:Webhook:Url 'ftp://example.org/'", message);
        Assert.Contains($"{key}:1:Webhook:Secret is required", message);
        Assert.Contains($"{key}:2 needs exactly one of Publish, Retag, Webhook or Command", message);
    }

    private ComposeGateFactory App(params (string Key, string Value)[] actions)
    {
        var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Forge:Enabled"] = "true";
        app.Settings["ComposeGate:Promotion:FirstRetrySeconds"] = "0.05";
        app.Settings["ComposeGate:Streams:cs10:Description"] = "CentOS Stream 10";
        app.Settings["ComposeGate:Sources:AllowedRoots:0"] = Production;
        // Consecutive settings of the same action kind start a new action; others join the current one.
        var index = -1;
        var kinds = new HashSet<string>();
        foreach (var (key, value) in actions)
        {
            var kind = key.Split(':')[0];
            if (index < 0 || (key.EndsWith(":Path", StringComparison.Ordinal) || key.EndsWith(":Url", StringComparison.Ordinal) || key.EndsWith(":Root", StringComparison.Ordinal)) || !kinds.Contains(kind))
            {
                index++;
                kinds = [kind];
            }
            app.Settings[$"ComposeGate:Streams:cs10:Promotion:{index}:{key}"] = value;
        }
        return app;
    }

    private static async Task SetPolicyAsync(HttpClient admin, string yaml) =>
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/streams/cs10/policy", new StringContent(yaml, Encoding.UTF8, "text/yaml"))).StatusCode);

    private async Task<(string Id, string Directory)> IngestAsync(HttpClient admin, string id)
    {
        var directory = new TestCompose(id, Packages).WriteTo(Production);
        File.WriteAllBytes(Path.Combine(directory, "compose", "BaseOS.iso"), Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray());
        var response = await admin.PostAsJsonAsync("/api/v1/streams/cs10/candidates", new { url = directory });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (id, directory);
    }

    private static async Task ReportAsync(HttpClient admin, string candidate, string outcome) =>
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/candidates/{candidate}/results", new { testcase = "t_functional", outcome })).StatusCode);

    private string Script(string name, string body) => TestScript.Write(work, name, "set -e\n" + body);

    /// <summary>Relative path and content hash of every file, the way a mirror user would compare trees.</summary>
    private static List<string> Tree(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(root, f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}")
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>Read-only even for root (the tests run as root in CI): the immutable attribute, checked to hold.</summary>
    private static void MakeReadOnly(string directory)
    {
        if (Environment.UserName == "root")
        {
            Run("chattr", "+i", directory);
        }
        else
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        Assert.ThrowsAny<Exception>(() => File.WriteAllText(Path.Combine(directory, "probe"), "x"));
    }

    private static void MakeWritable(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }
        if (Environment.UserName == "root")
        {
            Run("chattr", "-i", directory);
        }
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
    }

    private static async Task WaitForJobRunAsync(HttpClient admin, string job)
    {
        for (var i = 0; i < 300; i++)
        {
            var jobs = await admin.GetFromJsonAsync<JsonElement>("/api/v1/jobs");
            var row = jobs.GetProperty("scheduled").EnumerateArray().Single(j => j.GetProperty("name").GetString() == job);
            if (row.GetProperty("previous").ValueKind != JsonValueKind.Null && row.GetProperty("runningSince").ValueKind == JsonValueKind.Null)
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"The job {job} did not run.");
    }
}

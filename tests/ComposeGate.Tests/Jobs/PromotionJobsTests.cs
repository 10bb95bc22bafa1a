using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Forge;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Promotion;
using Hangfire;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Jobs;

/// <summary>
/// What an operator sees on the job dashboard: a satisfying result leads to a succeeded "Promote … (attempt 1)" job
/// and its "Merge the MR for …" continuation; a failing promotion is a failed job with the step's error (no merge);
/// a second job for the same attempt (Hangfire is at-least-once) waits and runs nothing again; a stream's source poll
/// is a recurring job with its cron.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PromotionJobsTests : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "composegate-jobs", Guid.NewGuid().ToString("N"));

    public PromotionJobsTests() => Directory.CreateDirectory(work);

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task SatisfyingResult_PromotesAndMerges_ThroughSucceededJobsWithReadableNames()
    {
        using var app = App("exit 0");
        using var admin = app.CreateAdminClient();
        var compose = await IngestAsync(admin, "CentOS-Stream-10-20261120.0");

        await ReportAsync(admin, compose.Id);

        await admin.WaitForStatusAsync(compose.Id, "promoted");
        await app.WaitForMergeRequestAsync(compose.Id, MergeRequestState.Merged);
        using var browser = await SignInAsync(app);
        var succeeded = await WaitForPageAsync(browser, "/hangfire/jobs/succeeded", $"Merge the MR for {compose.Id}");
        Assert.Contains($"Promote {compose.Id} (attempt 1)", succeeded);
        Assert.Contains($"Promote {compose.Id} if approved (promote: auto)", succeeded);
        Assert.DoesNotContain(compose.Id, await browser.GetStringAsync("/hangfire/jobs/failed"));
    }

    [Fact]
    public async Task FailingPromotion_IsAFailedJobWithTheError_AndNothingIsMerged()
    {
        using var app = App("echo 'the mirror is full' >&2; exit 3");
        using var admin = app.CreateAdminClient();
        var compose = await IngestAsync(admin, "CentOS-Stream-10-20261121.0");

        await ReportAsync(admin, compose.Id);

        var failed = await admin.WaitForStatusAsync(compose.Id, "failed");
        Assert.Contains("exit", failed.GetProperty("statusReason").GetString());
        using var browser = await SignInAsync(app);
        var page = await WaitForPageAsync(browser, "/hangfire/jobs/failed", $"Promote {compose.Id} (attempt 1)");
        Assert.Contains("PromotionFailedException", page);
        Assert.Contains($"Promotion 1 of {compose.Id} failed", page);
        Assert.DoesNotContain($"Merge the MR for {compose.Id}", await browser.GetStringAsync("/hangfire/jobs/succeeded"));
        Assert.Equal(MergeRequestState.Opened, await app.WithDbAsync(db => Task.FromResult(db.MergeRequests.Single(m => m.CandidateId == compose.Id).State)));
        Assert.Single(await app.WithDbAsync(db => Task.FromResult(db.Issues.Where(i => i.CandidateId == compose.Id).ToList())));
    }

    [Fact]
    public async Task SecondJobForTheSameAttempt_WaitsForTheFirst_AndRunsNothingAgain()
    {
        var log = Path.Combine(work, "runs.log");
        using var app = App($"echo start >> {log}; sleep 2; echo end >> {log}");
        using var admin = app.CreateAdminClient();
        var compose = await StartPromotionAsync(admin, "CentOS-Stream-10-20261122.0", log);

        // Hangfire runs a job at least once: the same attempt's job again, while the first still runs its step.
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var again = jobs.Enqueue<PromotionJobs>(j => j.PromoteAsync(compose.Id, 1, null, CancellationToken.None));

        await admin.WaitForStatusAsync(compose.Id, "promoted");
        var storage = app.Services.GetRequiredService<JobStorage>();
        string? state = null;
        for (var i = 0; i < 300 && state != "Succeeded"; i++)
        {
            await Task.Delay(20);
            using var connection = storage.GetConnection();
            state = connection.GetStateData(again)?.Name;
        }
        Assert.Equal("Succeeded", state);
        Assert.Equal(["start", "end"], File.ReadAllLines(log));
        var attempt = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/promotion")).EnumerateArray());
        Assert.Equal(1, Assert.Single(attempt.GetProperty("steps").EnumerateArray()).GetProperty("tries").GetInt32());
    }

    [Fact]
    public async Task DeletingTheRunningJobOnTheDashboard_CancelsThePromotion()
    {
        var started = Path.Combine(work, "started");
        using var app = App($"touch {started}; sleep 60");
        using var admin = app.CreateAdminClient();
        var compose = await StartPromotionAsync(admin, "CentOS-Stream-10-20261123.0", started);
        var job = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/api/v1/jobs")).GetProperty("running").EnumerateArray()).GetProperty("job").GetString()!;
        using var browser = await SignInAsync(app);

        var deleted = await HangfireDashboard.CommandAsync(browser, "/hangfire/jobs/processing", "/hangfire/jobs/processing/delete", job);

        Assert.True(deleted.IsSuccessStatusCode, $"{deleted.StatusCode}");
        var failed = await admin.WaitForStatusAsync(compose.Id, "failed");
        Assert.Contains("cancelled", failed.GetProperty("statusReason").GetString());
        var attempt = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/promotion")).EnumerateArray());
        Assert.Equal("cancelled", attempt.GetProperty("status").GetString());
    }

    [Fact]
    public void SecondInstance_OnTheSameDataFolder_RefusesToStart()
    {
        using var first = new ComposeGateFactory();
        first.CreateClient().Dispose();
        using var second = new ComposeGateFactory();
        second.Settings["ComposeGate:DataDir"] = first.DataDir;

        var error = Assert.ThrowsAny<Exception>(() => second.CreateClient());

        Assert.Contains("Another ComposeGate process is using the data folder", error.ToString());
    }

    [Fact]
    public async Task SourcePoll_IsARecurringJobWithItsCron()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Sources:AllowedRoots:0"] = work;
        app.Settings["ComposeGate:Streams:nightly:Source:ComposeUrl"] = work;
        app.Settings["ComposeGate:Streams:nightly:Source:Schedule"] = "30 2 * * *";
        using var browser = await SignInAsync(app);

        var recurring = await browser.GetStringAsync("/hangfire/recurring");

        Assert.Contains("poll-nightly", recurring);
        Assert.Contains("30 2 * * *", recurring);
        Assert.Contains("Check the source of nightly", recurring);
    }

    private ComposeGateFactory App(string command)
    {
        var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Forge:Enabled"] = "true";
        app.Settings["ComposeGate:Promotion:Tries"] = "1";
        app.Settings["ComposeGate:Streams:cs10:Promotion:0:Command:Path"] = TestScript.Write(work, "promote.sh", command);
        return app;
    }

    private static async Task<TestCompose> IngestAsync(HttpClient admin, string id)
    {
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/streams/cs10/policy",
            new StringContent("requires:\n  - testcase: t_functional\npromote: auto\n", Encoding.UTF8, "text/yaml"))).StatusCode);
        var compose = new TestCompose(id, [new("bash", "0:5.2.26-4.el10", "bash")]);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content())).StatusCode);
        return compose;
    }

    /// <summary>Ingests, satisfies the policy, and waits for the promotion's step to leave <paramref name="marker"/>.</summary>
    private static async Task<TestCompose> StartPromotionAsync(HttpClient admin, string id, string marker)
    {
        var compose = await IngestAsync(admin, id);
        await ReportAsync(admin, compose.Id);
        for (var i = 0; i < 300 && !File.Exists(marker); i++)
        {
            await Task.Delay(20);
        }
        Assert.True(File.Exists(marker), "The promotion's step never started.");
        return compose;
    }

    private static async Task ReportAsync(HttpClient admin, string candidate) =>
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/v1/candidates/{candidate}/results",
            new StringContent("{\"testcase\":\"t_functional\",\"outcome\":\"PASSED\"}", Encoding.UTF8, "application/json"))).StatusCode);

    private static async Task<HttpClient> SignInAsync(ComposeGateFactory app)
    {
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword)).StatusCode);
        return browser;
    }

    /// <summary>Waits for the page to show <paramref name="text"/> (a job finishing is a condition, not a time limit on the code).</summary>
    private static async Task<string> WaitForPageAsync(HttpClient browser, string path, string text)
    {
        var page = "";
        for (var i = 0; i < 200 && !page.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(i == 0 ? 0 : 100);
            page = WebUtility.HtmlDecode(await browser.GetStringAsync(path));
        }
        Assert.Contains(text, page);
        return page;
    }
}

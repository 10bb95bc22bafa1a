using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Gating;

/// <summary>
/// PRODUCT.md's policy example played out through the API: every requirement moves exactly as specified as
/// results, checklist items, votes, waivers and time arrive.
/// </summary>
public sealed class GatingScenarioTests : IDisposable
{
    private const string Policy = """
        requires:
          - testcase: t_functional              # latest result must pass, or be waived
          - testcase: rdo.tempest.smoke
            scenario: x86_64                    # optional: per scenario
            reporters: [rdo-bot]                # optional: only these accounts' results count
          - checklist: gitpod-workspace         # a finished run of this template with every required item passed
          - votes: { min: 2, role: ReleaseEngineer }   # at least 2 × +1 from that role; any −1 blocks
          - soak: 2h                            # candidate at least this old
        promote: auto
        """;

    private static readonly TestCompose Compose = new("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);

    private readonly ComposeGateFactory app = new();
    private readonly HttpClient admin;

    public GatingScenarioTests() => admin = app.CreateAdminClient();

    public void Dispose()
    {
        admin.Dispose();
        app.Dispose();
    }

    [Fact]
    public async Task PolicyExample_PlaysOutAsSpecified()
    {
        await admin.CreateStreamAsync("cs10");
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/streams/cs10/policy", Yaml(Policy))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/streams/cs10/candidates", Compose.Content())).StatusCode);
        var users = app.Services.GetRequiredService<UserAdministration>();
        foreach (var (name, role) in new[] { ("alice", "ReleaseEngineer"), ("bob", "ReleaseEngineer"), ("dave", "ReleaseEngineer"), ("carol", "Tester") })
        {
            await users.CreateAsync(Principals.Admin, new(name, $"{name}-Pass-2026", [role]));
        }
        using var rdo = app.CreateClient(await app.MintTokenAsync("rdo-bot", "Reporter", ["rdo.*"]));
        using var other = app.CreateClient(await app.MintTokenAsync("other-bot", "Reporter"));
        using var alice = app.CreateClient(await app.MintTokenAsync("alice-cli", "ReleaseEngineer", user: "alice"));
        using var bob = app.CreateClient(await app.MintTokenAsync("bob-cli", "ReleaseEngineer", user: "bob"));
        using var dave = app.CreateClient(await app.MintTokenAsync("dave-cli", "ReleaseEngineer", user: "dave"));
        using var carol = app.CreateClient(await app.MintTokenAsync("carol-cli", "Tester", user: "carol"));

        var start = await DecisionAsync();
        Assert.False(start.GetProperty("satisfied").GetBoolean());
        Assert.Equal("missing", State(start, "testcase", "t_functional"));
        Assert.Equal("missing", State(start, "testcase", "rdo.tempest.smoke"));
        Assert.Equal("missing", State(start, "checklist", "gitpod-workspace"));
        Assert.Equal("missing", State(start, "votes", "votes"));
        Assert.Equal("pending", State(start, "soak", "soak"));

        // t_functional: missing → pending (RUNNING) → failed → satisfied.
        await ReportAsync(other, "t_functional", "RUNNING");
        Assert.Equal("pending", State(await DecisionAsync(), "testcase", "t_functional"));
        await ReportAsync(other, "t_functional", "FAILED");
        var failed = await DecisionAsync();
        Assert.Equal("failed", State(failed, "testcase", "t_functional"));
        Assert.Contains("t_functional failed (waivable)", failed.GetProperty("summary").GetString());
        await ReportAsync(other, "t_functional", "PASSED");
        Assert.Equal("satisfied", State(await DecisionAsync(), "testcase", "t_functional"));

        // rdo.tempest.smoke: only rdo-bot, only x86_64, and here through the ResultsDB 2.0 form.
        await ReportAsync(other, "rdo.tempest.smoke", "PASSED", "x86_64");
        Assert.Equal("missing", State(await DecisionAsync(), "testcase", "rdo.tempest.smoke"));
        await ResultsDbAsync(rdo, "rdo.tempest.smoke", "PASSED", "aarch64");
        Assert.Equal("missing", State(await DecisionAsync(), "testcase", "rdo.tempest.smoke"));
        await ResultsDbAsync(rdo, "rdo.tempest.smoke", "PASSED", "x86_64");
        Assert.Equal("satisfied", State(await DecisionAsync(), "testcase", "rdo.tempest.smoke"));
        var outsideGlobs = await rdo.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/results", new { testcase = "t_functional", outcome = "FAILED" });
        await Problem.ReadAsync(outsideGlobs, HttpStatusCode.Forbidden);

        // The checklist: progress, a failed required item, then every required item passed.
        var run = await (await carol.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/checklists", new { template = "gitpod-workspace" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var runId = run.GetProperty("id").GetInt64();
        var required = run.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("required").GetBoolean())
            .Select(i => i.GetProperty("key").GetString()!).ToList();
        await ItemAsync(carol, runId, required[0], "passed");
        var progress = await DecisionAsync();
        Assert.Equal("pending", State(progress, "checklist", "gitpod-workspace"));
        Assert.Contains("checklist gitpod-workspace 1/8 items", progress.GetProperty("summary").GetString());
        await ItemAsync(carol, runId, required[1], "failed");
        Assert.Equal("failed", State(await DecisionAsync(), "checklist", "gitpod-workspace"));
        foreach (var key in required.Skip(1))
        {
            await ItemAsync(carol, runId, key, "passed");
        }
        Assert.Equal("satisfied", State(await DecisionAsync(), "checklist", "gitpod-workspace"));

        // Votes: the quorum counts ReleaseEngineers only, the latest vote of each person counts, any −1 blocks.
        await VoteAsync(alice, 1);
        await VoteAsync(carol, 1);
        Assert.Equal("pending", State(await DecisionAsync(), "votes", "votes"));
        await VoteAsync(bob, 1);
        Assert.Equal("satisfied", State(await DecisionAsync(), "votes", "votes"));
        await VoteAsync(dave, -1, "kernel panics on aarch64");
        var blocked = await DecisionAsync();
        Assert.Equal("failed", State(blocked, "votes", "votes"));
        Assert.Contains("dave", Requirement(blocked, "votes", "votes").GetProperty("detail").GetString());
        await VoteAsync(dave, 1, "fixed in the respin");
        Assert.Equal("satisfied", State(await DecisionAsync(), "votes", "votes"));

        // Soak: two hours after the candidate arrived, everything is met.
        Assert.False((await DecisionAsync()).GetProperty("satisfied").GetBoolean());
        var beforeSoak = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromHours(2));
        var satisfied = await DecisionAsync();
        Assert.True(satisfied.GetProperty("satisfied").GetBoolean());
        Assert.Equal("All 5 requirements met.", satisfied.GetProperty("summary").GetString());

        // A waiver moves a failed requirement to waived; revoking it moves it back.
        await ReportAsync(other, "t_functional", "FAILED");
        Assert.False((await DecisionAsync()).GetProperty("satisfied").GetBoolean());
        var waiver = await (await alice.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/waivers",
            new { testcase = "t_functional", reason = "known flake, tracked in RHEL-1234" })).Content.ReadFromJsonAsync<JsonElement>();
        var waived = await DecisionAsync();
        Assert.Equal("waived", State(waived, "testcase", "t_functional"));
        Assert.True(waived.GetProperty("satisfied").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await alice.DeleteAsync($"/api/v1/waivers/{waiver.GetProperty("id").GetInt64()}")).StatusCode);
        Assert.Equal("failed", State(await DecisionAsync(), "testcase", "t_functional"));

        // An expiring waiver stops counting when it expires.
        await alice.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/waivers",
            new { testcase = "t_functional", reason = "until the fix lands", expires = app.Clock.GetUtcNow().AddDays(1) });
        Assert.Equal("waived", State(await DecisionAsync(), "testcase", "t_functional"));
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal("failed", State(await DecisionAsync(), "testcase", "t_functional"));
        var waivers = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}/waivers");
        Assert.Equal(["expired", "revoked"], waivers.EnumerateArray().Select(w => w.GetProperty("state").GetString()));

        // ?at= answers as the decision stood then.
        var then = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}/decision?at={Uri.EscapeDataString(beforeSoak.ToString("O"))}");
        Assert.Equal("pending", State(then, "soak", "soak"));
        Assert.Equal("satisfied", State(then, "testcase", "t_functional"));
    }

    [Fact]
    public async Task DecisionChanges_AreRecordedOnceEach_NotOnEveryRecomputation()
    {
        await admin.CreateStreamAsync("cs10");
        // Manual promotion, so the approved candidate stays open and can fall back to gating.
        await admin.PutAsync("/api/v1/streams/cs10/policy", Yaml("requires:\n  - testcase: t_functional\npromote: manual\n"));
        await admin.PostAsync("/api/v1/streams/cs10/candidates", Compose.Content());

        await ReportAsync(admin, "t_functional", "PASSED");
        await ReportAsync(admin, "t_functional", "PASSED");
        await ReportAsync(admin, "t_other", "FAILED");
        await ReportAsync(admin, "t_functional", "FAILED");

        var events = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}/events");
        var decisions = events.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "decision.changed").ToList();
        Assert.Equal(3, decisions.Count); // missing (first evaluation) → satisfied → failed
        var last = decisions[^1].GetProperty("data");
        Assert.False(last.GetProperty("satisfied").GetBoolean());
        Assert.True(last.GetProperty("previous").GetProperty("satisfied").GetBoolean());
        Assert.Equal(4, events.EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "result.reported"));
        var status = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}");
        Assert.Equal("gating", status.GetProperty("status").GetString());
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("summary").GetString() == "Status gating → approved");
    }

    [Fact]
    public async Task PolicyChange_RecomputesOpenCandidates()
    {
        await admin.CreateStreamAsync("cs10");
        await admin.PostAsync("/api/v1/streams/cs10/candidates", Compose.Content());
        await ReportAsync(admin, "t_functional", "PASSED");
        Assert.Equal("gating", (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}")).GetProperty("status").GetString());
        Assert.Contains("No policy", (await DecisionAsync()).GetProperty("summary").GetString());

        await admin.PutAsync("/api/v1/streams/cs10/policy", Yaml("requires:\n  - testcase: t_functional\npromote: manual\n"));

        var candidate = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}");
        Assert.Equal("approved", candidate.GetProperty("status").GetString());
        Assert.True(candidate.GetProperty("decision").GetProperty("satisfied").GetBoolean());
    }

    private async Task<JsonElement> DecisionAsync() =>
        await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}/decision");

    private static JsonElement Requirement(JsonElement decision, string kind, string name) =>
        decision.GetProperty("requirements").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == kind && r.GetProperty("name").GetString() == name);

    private static string? State(JsonElement decision, string kind, string name) => Requirement(decision, kind, name).GetProperty("state").GetString();

    private static async Task ReportAsync(HttpClient client, string testcase, string outcome, string? scenario = null) =>
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/results", new { testcase, outcome, scenario })).StatusCode);

    private static async Task ResultsDbAsync(HttpClient client, string testcase, string outcome, string scenario)
    {
        var response = await client.PostAsJsonAsync("/api/v2.0/results",
            new { testcase = new { name = testcase, ref_url = "https://ci.example.org/job/1" }, outcome, data = new { item = new[] { Compose.Id }, scenario } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task ItemAsync(HttpClient client, long run, string key, string state) =>
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/checklist-runs/{run}/items/{key}", new { state, comment = "checked" })).StatusCode);

    private static async Task VoteAsync(HttpClient client, int value, string comment = "looks good") =>
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/votes", new { value, comment })).StatusCode);

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "text/yaml");
}

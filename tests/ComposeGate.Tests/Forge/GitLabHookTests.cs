using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Forge;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Forge;

/// <summary>POST /hooks/gitlab with GitLab's event shapes: reactions and comments on a candidate's merge request.</summary>
public sealed class GitLabHookTests : IDisposable
{
    private const string Secret = "gitlab-webhook-secret-2026";

    // Every note and reaction has its own GitLab id (the same id twice is the same event).
    private static long nextObjectId = 1000;
    private static readonly TestCompose Compose = new("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
    private readonly ComposeGateFactory app = new();
    private readonly HttpClient gitlab;

    public GitLabHookTests()
    {
        app.Settings["ComposeGate:Forge:GitLab:WebhookSecret"] = Secret;
        app.Settings["ComposeGate:Forge:GitLab:BotUsername"] = "composegate-bot";
        gitlab = app.CreateClient(bearer: null);
        using var admin = app.CreateAdminClient();
        admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" }).GetAwaiter().GetResult();
        admin.PostAsync("/api/v1/streams/cs10/candidates", Compose.Content()).GetAwaiter().GetResult();
        app.WithDbAsync(async db =>
        {
            db.MergeRequests.Add(new MergeRequestLink
            {
                CandidateId = Compose.Id, Provider = ForgeProvider.GitLab, Number = 7, Url = "https://gitlab.example.org/compose/repo/-/merge_requests/7",
                SourceBranch = $"candidates/cs10/{Compose.Id}", TargetBranch = "main", State = MergeRequestState.Opened,
            });
            return await db.SaveChangesAsync();
        }).GetAwaiter().GetResult();
        var users = app.Services.GetRequiredService<UserAdministration>();
        users.CreateAsync(Principals.Admin, new("alice", "Alice-Pass-2026", ["ReleaseEngineer"], ForgeUsername: "alice.gl")).GetAwaiter().GetResult();
        users.CreateAsync(Principals.Admin, new("tom", "Tom-Pass-2026", ["Tester"], ForgeUsername: "tom.gl")).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        gitlab.Dispose();
        app.Dispose();
    }

    [Fact]
    public async Task WrongOrMissingToken_Is401AndChangesNothing()
    {
        var wrong = await PostAsync(Note("tom.gl", "/approve"), token: "not-the-secret");
        var missing = await PostAsync(Note("tom.gl", "/approve"), token: null);

        await Problem.ReadAsync(wrong, HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(missing, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await app.WithDbAsync(db => db.Votes.CountAsync()));
    }

    [Fact]
    public async Task ThumbsAndCommands_BecomeVotesOfTheMappedAccounts()
    {
        Assert.Equal("vote", await ActionAsync(Emoji("tom.gl", "thumbsup")));
        Assert.Equal("vote", await ActionAsync(Note("alice.gl", "/block kernel panics on aarch64")));
        Assert.Equal("vote", await ActionAsync(Note("alice.gl", "/approve fixed in the respin")));

        var votes = await app.WithDbAsync(db => db.Votes.OrderBy(v => v.Id).ToListAsync());
        Assert.Equal([("tom", 1), ("alice", -1), ("alice", 1)], votes.Select(v => (v.Voter, v.Value)));
        Assert.Equal("kernel panics on aarch64", votes[1].Comment);
        Assert.All(votes, v => Assert.Equal(ComposeGate.Gating.VoteSource.Forge, v.Source));
    }

    [Fact]
    public async Task Waive_NeedsAReleaseEngineer_AndRetestQueuesTheTestcase()
    {
        Assert.Equal("refused", await ActionAsync(Note("tom.gl", "/waive t_functional flaky on aarch64")));
        Assert.Equal("waiver", await ActionAsync(Note("alice.gl", "/waive t_functional flaky on aarch64")));
        Assert.Equal("retest", await ActionAsync(Note("tom.gl", "/retest t_functional")));

        var waiver = await app.WithDbAsync(db => db.Waivers.SingleAsync());
        Assert.Equal(("t_functional", "flaky on aarch64", "alice"), (waiver.Testcase, waiver.Reason, waiver.CreatedBy));
        var queued = await app.WithDbAsync(db => db.Results.SingleAsync());
        Assert.Equal((ComposeGate.Gating.Outcome.Queued, "tom"), (queued.Outcome, queued.Reporter));
    }

    [Fact]
    public async Task EverythingElse_IsIgnoredSafely()
    {
        Assert.Equal("ignored", await ActionAsync(Note("stranger", "/approve")));
        Assert.Equal("ignored", await ActionAsync(Note("composegate-bot", "/approve")));
        Assert.Equal("ignored", await ActionAsync(Note("tom.gl", "looks good to me")));
        Assert.Equal("ignored", await ActionAsync(Note("tom.gl", "/approve", system: true)));
        Assert.Equal("ignored", await ActionAsync(Note("tom.gl", "/approve", iid: 99)));
        Assert.Equal("ignored", await ActionAsync(Emoji("tom.gl", "rocket")));
        Assert.Equal("ignored", await ActionAsync(Emoji("tom.gl", "thumbsup", action: "revoke")));
        Assert.Equal("ignored", await ActionAsync(new { object_kind = "pipeline", user = new { username = "tom.gl" } }));
        Assert.Equal(0, await app.WithDbAsync(db => db.Votes.CountAsync()));
    }

    [Fact]
    public async Task SameDeliveryTwice_CountsOnce()
    {
        var first = await ActionAsync(Emoji("tom.gl", "thumbsup"), idempotencyKey: "b4f0c1a2-7d1e-4f6b-9a51-1c2d3e4f5a6b");
        var again = await ActionAsync(Emoji("tom.gl", "thumbsup"), idempotencyKey: "b4f0c1a2-7d1e-4f6b-9a51-1c2d3e4f5a6b");
        var sameNote = Note("alice.gl", "/approve");
        var noteOnce = await ActionAsync(sameNote, idempotencyKey: "first-delivery");
        var noteAgain = await ActionAsync(sameNote, idempotencyKey: "a-retry-with-a-new-key");

        Assert.Equal(("vote", "duplicate"), (first, again));
        Assert.Equal(("vote", "duplicate"), (noteOnce, noteAgain));
        Assert.Equal(2, await app.WithDbAsync(db => db.Votes.CountAsync()));
    }

    private async Task<string?> ActionAsync(object payload, string? idempotencyKey = null)
    {
        var response = await PostAsync(payload, Secret, idempotencyKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString();
    }

    private Task<HttpResponseMessage> PostAsync(object payload, string? token, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/gitlab") { Content = JsonContent.Create(payload) };
        if (token is not null)
        {
            request.Headers.Add("X-Gitlab-Token", token);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return gitlab.SendAsync(request);
    }

    private static object Note(string username, string text, bool system = false, long iid = 7) => new
    {
        object_kind = "note",
        event_type = "note",
        user = new { id = 42, name = username, username },
        object_attributes = new { id = Interlocked.Increment(ref nextObjectId), note = text, noteable_type = "MergeRequest", system, action = "create" },
        merge_request = new { id = 700, iid, source_branch = $"candidates/cs10/{Compose.Id}", target_branch = "main", state = "opened" },
    };

    private static object Emoji(string username, string name, string action = "award") => new
    {
        object_kind = "emoji",
        event_type = "award",
        user = new { id = 43, name = username, username },
        object_attributes = new { id = Interlocked.Increment(ref nextObjectId), name, action, awardable_type = "MergeRequest", awardable_id = 700 },
        merge_request = new { id = 700, iid = 7, source_branch = $"candidates/cs10/{Compose.Id}", state = "opened" },
    };
}

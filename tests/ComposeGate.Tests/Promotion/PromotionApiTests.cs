using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.Tests.Promotion;

/// <summary>
/// A release engineer promotes a satisfied candidate or rejects one, through the bot API: refusals say what is
/// unmet and change nothing; a promotion is recorded once, sets older candidates aside and becomes the diff base.
/// </summary>
public sealed class PromotionApiTests : IDisposable
{
    private static readonly TestCompose Older = new("CentOS-Stream-10-20261118.0", [new("bash", "0:5.2.26-3.el10", "bash")]);
    private static readonly TestCompose Newer = new("CentOS-Stream-10-20261119.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
    private static readonly TestCompose Newest = new("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-5.el10", "bash")]);

    private readonly ComposeGateFactory app = new();
    private readonly HttpClient admin;

    public PromotionApiTests() => admin = app.CreateAdminClient();

    public void Dispose()
    {
        admin.Dispose();
        app.Dispose();
    }

    [Fact]
    public async Task Promote_Unsatisfied_Is409ListingWhatIsUnmet_AndChangesNothing()
    {
        await SetUpStreamAsync();
        using var engineer = app.CreateClient(await app.MintTokenAsync("relman", "ReleaseEngineer"));

        var refused = await Problem.ReadAsync(await engineer.PostAsync($"/api/v1/candidates/{Newer.Id}/promote", null), HttpStatusCode.Conflict);

        Assert.Contains("testcase t_functional: missing", refused.Detail);
        Assert.Equal("gating", await StatusAsync(Newer));
        var promotion = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Newer.Id}/events");
        Assert.DoesNotContain("candidate.promoted", promotion.GetRawText());
    }

    [Fact]
    public async Task Promote_Satisfied_Is202_SupersedesOlder_IsIdempotent_AndBecomesTheDiffBase()
    {
        await SetUpStreamAsync();
        await ReportAsync(Newer, "PASSED");
        using var engineer = app.CreateClient(await app.MintTokenAsync("relman", "ReleaseEngineer"));

        var response = await engineer.PostAsync($"/api/v1/candidates/{Newer.Id}/promote", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var promoting = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("promoting", promoting.GetProperty("status").GetString());
        var attempt = Assert.Single(promoting.GetProperty("attempts").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("number").GetInt32());
        Assert.Equal("relman", attempt.GetProperty("requestedBy").GetString());

        await admin.WaitForStatusAsync(Newer.Id, "promoted");
        var history = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Newer.Id}/promotion");
        Assert.Equal("succeeded", Assert.Single(history.EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal("superseded", await StatusAsync(Older));
        var older = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Older.Id}");
        Assert.Contains(Newer.Id, older.GetProperty("statusReason").GetString());

        // Asking again answers with the same single promotion.
        var again = await (await engineer.PostAsync($"/api/v1/candidates/{Newer.Id}/promote", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Single(again.GetProperty("attempts").EnumerateArray());

        // The next candidate is diffed against what users now have.
        await admin.PostAsync("/api/v1/streams/cs10/candidates", Newest.Content());
        var diff = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Newest.Id}/diff");
        Assert.Equal(Newer.Id, diff.GetProperty("base").GetString());

        // A superseded candidate can no longer be promoted, nor a promoted one rejected.
        await Problem.ReadAsync(await engineer.PostAsync($"/api/v1/candidates/{Older.Id}/promote", null), HttpStatusCode.Conflict);
        await Problem.ReadAsync(await engineer.PostAsJsonAsync($"/api/v1/candidates/{Newer.Id}/reject", new { reason = "too late" }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Reject_NeedsAReason_ThenRecordsIt_AndBlocksPromotion()
    {
        await SetUpStreamAsync();
        await ReportAsync(Newer, "PASSED");
        using var engineer = app.CreateClient(await app.MintTokenAsync("relman", "ReleaseEngineer"));

        var noReason = await Problem.ReadAsync(await engineer.PostAsJsonAsync($"/api/v1/candidates/{Newer.Id}/reject", new { reason = " " }), HttpStatusCode.BadRequest);
        Assert.Contains("reason", noReason.Errors.Keys);
        Assert.Equal("approved", await StatusAsync(Newer));

        var rejected = await engineer.PostAsJsonAsync($"/api/v1/candidates/{Newer.Id}/reject", new { reason = "dnf crashes on upgrade, RHEL-4321" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var candidate = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Newer.Id}");
        Assert.Equal("rejected", candidate.GetProperty("status").GetString());
        Assert.Equal("dnf crashes on upgrade, RHEL-4321", candidate.GetProperty("statusReason").GetString());

        var refused = await Problem.ReadAsync(await engineer.PostAsync($"/api/v1/candidates/{Newer.Id}/promote", null), HttpStatusCode.Conflict);
        Assert.Contains("rejected", refused.Detail);
        Assert.Equal("gating", await StatusAsync(Older));
    }

    [Fact]
    public async Task Promote_ManyAtOnce_PromotesOnce()
    {
        await SetUpStreamAsync();
        await ReportAsync(Newer, "PASSED");
        using var engineer = app.CreateClient(await app.MintTokenAsync("relman", "ReleaseEngineer"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => engineer.PostAsync($"/api/v1/candidates/{Newer.Id}/promote", null)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await admin.WaitForStatusAsync(Newer.Id, "promoted");
        var events = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Newer.Id}/events");
        Assert.Single(events.EnumerateArray(), e => e.GetRawText().Contains("\"candidate.promoted\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PromoteAndReject_UnknownCandidate_Are404()
    {
        await Problem.ReadAsync(await admin.PostAsync("/api/v1/candidates/nope-1.0/promote", null), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await admin.PostAsJsonAsync("/api/v1/candidates/nope-1.0/reject", new { reason = "r" }), HttpStatusCode.NotFound);
    }

    private async Task SetUpStreamAsync()
    {
        await admin.CreateStreamAsync("cs10");
        var policy = new StringContent("requires:\n  - testcase: t_functional\npromote: manual\n", Encoding.UTF8, "text/yaml");
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/streams/cs10/policy", policy)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/streams/cs10/candidates", Older.Content())).StatusCode);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/streams/cs10/candidates", Newer.Content())).StatusCode);
    }

    private async Task ReportAsync(TestCompose compose, string outcome)
    {
        using var bot = app.CreateClient(await app.MintTokenAsync($"bot-{Guid.NewGuid():N}"[..20], "Reporter"));
        var response = await bot.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/results", new { testcase = "t_functional", outcome });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<string?> StatusAsync(TestCompose compose) =>
        (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}")).GetProperty("status").GetString();
}

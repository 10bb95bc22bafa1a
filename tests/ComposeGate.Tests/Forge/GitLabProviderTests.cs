using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Forge;

/// <summary>The app with ComposeGate:Forge:Provider=GitLab against the fake GitLab: the same lifecycle as the built-in forge.</summary>
public sealed class GitLabProviderTests
{
    [Fact]
    public async Task Candidate_OpensAGitLabMergeRequest_LabelAndNoteFollowTheDecision_PromotionMergesIt()
    {
        await using var gitlab = await FakeGitLab.StartAsync();
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Forge:Enabled"] = "true";
        gitlab.ConfigureProvider(app);
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" });
        await admin.PutAsync("/api/v1/streams/cs10/policy", new StringContent("requires:\n  - testcase: t_functional\npromote: manual\n", Encoding.UTF8, "text/yaml"));
        var compose = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
        (await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content())).EnsureSuccessStatusCode();

        await WaitAsync(() => gitlab.MergeRequests.Any(m => m.Labels.Contains("gate::pending")) && gitlab.Notes(1).Count == 1);
        var candidate = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}");
        Assert.Equal("gitLab", candidate.GetProperty("mergeRequest").GetProperty("provider").GetString());
        Assert.Equal($"{gitlab.BaseUrl}/{gitlab.ProjectPath}/-/merge_requests/1", candidate.GetProperty("mergeRequest").GetProperty("url").GetString());
        Assert.Equal("bash-5.2.26-4.el10\n", gitlab.Files($"candidates/cs10/{compose.Id}")["streams/cs10/packages.txt"]);
        var opened = gitlab.MergeRequests.Single();
        Assert.Equal($"Candidate {compose.Id}", opened.Title);
        Assert.Contains("- testcase `t_functional`", opened.Description);
        Assert.Contains("1 added", opened.Description);

        await admin.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/results", new { testcase = "t_functional", outcome = "PASSED" });
        await WaitAsync(() => gitlab.MergeRequests.Single().Labels.Contains("gate::passed")
            && gitlab.Statuses.Any(s => s.Name == "composegate/testcase/t_functional" && s.State == "success"));
        var note = Assert.Single(gitlab.Notes(1));
        Assert.Contains("satisfied", note.Body);
        Assert.Contains(gitlab.Statuses, s => s.Name == "composegate/testcase/t_functional" && s.State == "success");

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/candidates/{compose.Id}/promote", null)).StatusCode);
        await WaitAsync(() => gitlab.MergeRequests.Single().State == "merged");
        Assert.Single(gitlab.MergeRequests);
        Assert.Equal("bash-5.2.26-4.el10\n", gitlab.Files("main")["streams/cs10/packages.txt"]);
    }

    [Fact]
    public void Startup_GitLabWithoutItsSettings_FailsListingThem()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Forge:Provider"] = "GitLab";

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient()).ToString();

        Assert.Contains("ComposeGate:Forge:GitLab:BaseUrl", error);
        Assert.Contains("ComposeGate:Forge:GitLab:Token", error);
        Assert.Contains("ComposeGate:Forge:GitLab:WebhookSecret", error);
    }

    /// <summary>Waits for the background sync (a condition, not a time limit on the code).</summary>
    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 150 && !condition(); attempt++)
        {
            await Task.Delay(200);
        }
        Assert.True(condition(), "The merge request never reached the expected state.");
    }
}

public sealed class GitLabReconcileTests
{
    [Fact]
    public async Task MissedWebhooks_AreReadBack_AndNothingCountsTwice()
    {
        await using var gitlab = await FakeGitLab.StartAsync();
        using var app = new ComposeGateFactory();
        gitlab.ConfigureProvider(app);
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" });
        var compose = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
        await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content());
        await app.Services.GetRequiredService<ComposeGate.Web.Forge.ForgeSync>().SyncAsync(compose.Id, default);
        var users = app.Services.GetRequiredService<ComposeGate.Web.Features.Users.UserAdministration>();
        await users.CreateAsync(Principals.Admin, new("tom", "Tom-Pass-2026", ["Tester"], ForgeUsername: "tom.gl"));
        await users.CreateAsync(Principals.Admin, new("alice", "Alice-Pass-2026", ["ReleaseEngineer"], ForgeUsername: "alice.gl"));
        gitlab.AddAward(1, "thumbsup", "tom.gl");
        var block = gitlab.AddNote(1, "/block kernel panics on aarch64", "alice.gl");
        var reconciler = app.Services.GetRequiredService<ComposeGate.Web.Forge.GitLab.GitLabReconciler>();

        var first = await reconciler.ReconcileAsync(default);
        var second = await reconciler.ReconcileAsync(default);
        using var hook = app.CreateClient(bearer: null);
        var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/gitlab")
        {
            Content = JsonContent.Create(new
            {
                object_kind = "note",
                user = new { username = "alice.gl" },
                object_attributes = new { id = block.Id, note = block.Body, noteable_type = "MergeRequest", system = false },
                merge_request = new { iid = 1 },
            }),
        };
        request.Headers.Add("X-Gitlab-Token", FakeGitLab.WebhookSecret);
        var late = await (await hook.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((2, 0), (first, second));
        Assert.Equal("duplicate", late.GetProperty("action").GetString());
        var votes = await app.WithDbAsync(db => db.Votes.OrderBy(v => v.Id).Select(v => new { v.Voter, v.Value }).ToListAsync());
        Assert.Equal([("tom", 1), ("alice", -1)], votes.Select(v => (v.Voter, v.Value)));
    }
}

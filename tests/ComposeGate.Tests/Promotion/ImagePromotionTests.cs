using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Forge;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Tests.Promotion.Registry;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Promotion;

/// <summary>
/// The nightly image flow (the Gitpod workspace image) against a real registry, with nobody pressing buttons but
/// the tester: <c>:main</c> is resolved to a digest on schedule, each new digest becomes a candidate with a merge
/// request, the manual checklist gates it, and <c>:stable</c> moves to exactly the tested digest — even though
/// <c>:main</c> moved on meanwhile. A retag that fails leaves <c>:stable</c> where it was and opens an issue.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ImagePromotionTests(RegistryFixture registry)
{
    private const string Stream = "gitpod-workspace";

    [Fact]
    public async Task NightlyImage_ChecklistPassed_StableMovesToTheTestedDigest_AFailedRetagLeavesItAlone()
    {
        var repository = RegistryFixture.NewRepository("gitpod");
        var image = $"{registry.Address}/{repository}";
        var previousStable = await registry.PushImageAsync(repository, "stable", "last week's workspace", TestImageFormat.OciIndex);
        var tested = await registry.PushImageAsync(repository, "main", "tonight's workspace", TestImageFormat.OciIndex);

        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Forge:Enabled"] = "true";
        app.Settings[$"ComposeGate:Streams:{Stream}:Source:Image"] = image;
        app.Settings[$"ComposeGate:Streams:{Stream}:Source:Tag"] = "main";
        app.Settings[$"ComposeGate:Streams:{Stream}:Source:Schedule"] = "* * * * * ?";
        app.Settings[$"ComposeGate:Streams:{Stream}:Promotion:0:Retag:Tag"] = "stable";
        using var admin = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync($"/api/v1/streams/{Stream}/policy",
            new StringContent("requires:\n  - checklist: gitpod-workspace\npromote: auto\n", Encoding.UTF8, "text/yaml"))).StatusCode);

        // The schedule finds tonight's digest; then a newer :main is pushed while it is being tested.
        var first = await WaitForCandidateAsync(app, admin, repository, tested);
        Assert.Equal(tested, first.GetProperty("image").GetProperty("digest").GetString());
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], first.GetProperty("image").GetProperty("platforms").EnumerateArray().Select(p => p.GetString()));
        var newer = await registry.PushImageAsync(repository, "main", "tomorrow's workspace", TestImageFormat.OciIndex);
        var second = await WaitForCandidateAsync(app, admin, repository, newer);
        await app.WaitForMergeRequestAsync(first.GetProperty("id").GetString()!, MergeRequestState.Opened);
        Assert.Equal(previousStable, await registry.TagDigestAsync(repository, "stable"));

        using var tester = app.CreateClient(await app.MintTokenAsync("tester", "Tester"));
        await PassChecklistAsync(tester, first.GetProperty("id").GetString()!);

        await admin.WaitForStatusAsync(first.GetProperty("id").GetString()!, "promoted");
        Assert.Equal(tested, await registry.TagDigestAsync(repository, "stable"));
        Assert.Equal(newer, await registry.TagDigestAsync(repository, "main"));
        await app.WaitForMergeRequestAsync(first.GetProperty("id").GetString()!, MergeRequestState.Merged);

        // The newer digest vanishes from the registry before its retag: the promotion fails, :stable stays put.
        using (var http = new HttpClient())
        {
            var deleted = await http.DeleteAsync($"http://{registry.Address}/v2/{repository}/manifests/{newer}");
            Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        }
        await PassChecklistAsync(tester, second.GetProperty("id").GetString()!);

        var failed = await admin.WaitForStatusAsync(second.GetProperty("id").GetString()!, "failed");
        Assert.Contains("MANIFEST_UNKNOWN", failed.GetProperty("statusReason").GetString());
        Assert.Equal(tested, await registry.TagDigestAsync(repository, "stable"));
        failed = await admin.WaitForIssueAsync(second.GetProperty("id").GetString()!);
        Assert.Contains("Tag the tested digest :stable", Assert.Single(failed.GetProperty("issues").EnumerateArray()).GetProperty("title").GetString());
    }

    /// <summary>Waits for the schedule to find the digest; the test's clock is moved a second at a time so the cron fires again.</summary>
    private static async Task<JsonElement> WaitForCandidateAsync(ComposeGateFactory app, HttpClient admin, string repository, string digest)
    {
        var id = $"{repository[(repository.LastIndexOf('/') + 1)..]}-{digest["sha256:".Length..][..12]}";
        for (var i = 0; i < 300; i++)
        {
            var response = await admin.GetAsync($"/api/v1/candidates/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }
            await Task.Delay(50);
            if (i % 10 == 9)
            {
                app.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }
        var jobs = await admin.GetStringAsync("/api/v1/jobs");
        throw new Xunit.Sdk.XunitException($"No candidate {id} for {digest} was created by the schedule. Jobs: {jobs}");
    }

    private static async Task PassChecklistAsync(HttpClient tester, string candidate)
    {
        var started = await tester.PostAsJsonAsync($"/api/v1/candidates/{candidate}/checklists", new { template = "gitpod-workspace" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var run = await started.Content.ReadFromJsonAsync<JsonElement>();
        var runId = run.GetProperty("id").GetInt64();
        foreach (var key in new[] { "verify-job", "workspace-starts", "gdk-up", "sign-in-root", "gdk-update", "tests-run" })
        {
            var recorded = await tester.PutAsJsonAsync($"/api/v1/checklist-runs/{runId}/items/{key}", new { state = "passed", comment = "ok" });
            Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        }
    }
}

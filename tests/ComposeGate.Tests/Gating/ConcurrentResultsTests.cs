using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Gating;

public sealed class ConcurrentResultsTests
{
    [Fact]
    public async Task ManyBotsAtOnce_EveryResultIsStoredAndTheRecordedDecisionCatchesUp()
    {
        using var app = new ComposeGateFactory();
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("busy");
        var policy = "requires:\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"  - testcase: load.t{i:00}\n")) + "promote: manual\n";
        await admin.PutAsync("/api/v1/streams/busy/policy", new StringContent(policy, Encoding.UTF8, "text/yaml"));
        var compose = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
        await admin.PostAsync("/api/v1/streams/busy/candidates", compose.Content());

        async Task<HttpStatusCode> PostAsync(int n, string outcome)
        {
            using var bot = app.CreateAdminClient();
            return (await bot.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/results", new { testcase = $"load.t{n % 20:00}", outcome })).StatusCode;
        }

        // Two bursts of 200 concurrent posts: every testcase first fails, then passes.
        var failing = await Task.WhenAll(Enumerable.Range(0, 200).Select(n => PostAsync(n, "FAILED")).ToList());
        var passing = await Task.WhenAll(Enumerable.Range(0, 200).Select(n => PostAsync(n, "PASSED")).ToList());

        Assert.All(failing.Concat(passing), status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Equal(400, await app.WithDbAsync(db => db.Results.CountAsync(r => r.CandidateId == compose.Id)));
        var live = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/decision");
        Assert.True(live.GetProperty("satisfied").GetBoolean(), live.GetProperty("summary").GetString());

        // The recorded decision and status follow within the recomputation's short delay (waited for, not timed).
        var recorded = false;
        for (var attempt = 0; attempt < 100 && !recorded; attempt++)
        {
            var candidate = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}");
            recorded = candidate.GetProperty("status").GetString() == "approved";
            if (!recorded)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(recorded, "The candidate was not approved after the burst.");
    }
}

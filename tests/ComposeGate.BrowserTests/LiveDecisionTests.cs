using System.Net.Http.Json;
using System.Text;
using ComposeGate.Web.Features.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests;

/// <summary>
/// Two people on one candidate: a tester fills in the checklist, a release engineer watches the decision move and
/// then promotes it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveDecisionTests(BrowserFixture app)
{
    private const string Candidate = "CentOS-Stream-10-20261201.0";

    [Fact]
    public async Task Tester_CompletesChecklist_WhileAnotherSessionSeesTheDecisionChangeWithoutReloading_ThenPromotes()
    {
        using var admin = app.CreateApiClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "live-gate", kind = "compose" });
        (await admin.PostAsJsonAsync("/api/v1/checklists", new
        {
            name = "smoke-live",
            title = "Smoke test",
            items = new object[]
            {
                new { key = "boots", title = "The image boots", instructions = "Boot it in a VM.", required = true },
                new { key = "login", title = "Log in works", instructions = "Log in as `root`.", required = true },
            },
        })).EnsureSuccessStatusCode();
        (await admin.PutAsync("/api/v1/streams/live-gate/policy",
            new StringContent("requires:\n  - checklist: smoke-live\npromote: manual\n", Encoding.UTF8, "text/yaml"))).EnsureSuccessStatusCode();
        var body = $$"""{"url":"{{WriteCompose()}}"}""";
        (await admin.PostAsync("/api/v1/streams/live-gate/candidates", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        await app.Services.GetRequiredService<UserAdministration>().CreateAsync(
            new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, "admin"), new(System.Security.Claims.ClaimTypes.Role, "Admin")], "test")),
            new("tina", "Tina-Tester-2026", ["Tester"]));

        var watcher = await app.SignInAsync();
        await watcher.GotoAsync($"/candidates/{Candidate}");
        await BrowserFixture.WaitInteractiveAsync(watcher);
        Assert.Equal("Not satisfied", await watcher.TextContentAsync("[data-testid=decision-state]"));

        var tester = await app.SignInAsync("tina", "Tina-Tester-2026");
        await tester.GotoAsync($"/candidates/{Candidate}");
        await BrowserFixture.WaitInteractiveAsync(tester);
        await tester.ClickAsync(".rz-tabview-nav >> text=Checklists");
        await tester.ClickAsync("[data-testid=checklist-start]");
        await tester.WaitForURLAsync("**/checklist-runs/*");
        await BrowserFixture.WaitInteractiveAsync(tester);
        await tester.FillAsync("[data-testid=comment-boots]", "boots in 12 s");
        await tester.ClickAsync("[data-testid=pass-boots]");
        await tester.Locator("[data-testid=run-count]", new() { HasText = "1 of 2 items" }).WaitForAsync();

        // The watcher's page moves on its own: in progress after the first item…
        await watcher.Locator("[data-testid=decision-summary]", new() { HasText = "1/2 items" }).WaitForAsync();
        Assert.Equal("Not satisfied", await watcher.TextContentAsync("[data-testid=decision-state]"));

        // …and satisfied after the last, without a reload.
        await tester.ClickAsync("[data-testid=pass-login]");
        await tester.Locator("[data-testid=run-outcome]", new() { HasText = "passed" }).WaitForAsync();
        await watcher.Locator("[data-testid=decision-state]", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^Satisfied$") }).WaitForAsync();
        Assert.Contains("satisfied", await watcher.TextContentAsync("[data-testid=requirement-checklist-smoke-live]"));

        // Only the release engineer may promote; doing so takes the candidate out of gating on the page itself.
        await tester.GotoAsync($"/candidates/{Candidate}");
        await BrowserFixture.WaitInteractiveAsync(tester);
        Assert.Equal(0, await tester.Locator("[data-testid=promote]").CountAsync());
        await watcher.ClickAsync("[data-testid=promote]");
        await watcher.Locator("[data-testid=candidate-header] .cg-status-chip", new() { HasText = "promoted" }).WaitForAsync();
        await watcher.Locator("[data-testid=promotion-actions]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await watcher.ClickAsync(".rz-tabview-nav >> text=Promotion");
        await watcher.Locator("[data-testid=promotion-attempt][data-status=succeeded]").WaitForAsync();

        // The Jobs page lists the promotion; only release engineers get the buttons that act.
        await watcher.GotoAsync("/jobs");
        await BrowserFixture.WaitInteractiveAsync(watcher);
        await watcher.Locator($"[data-testid=jobs-recent] tr[data-candidate='{Candidate}'][data-status=succeeded]").WaitForAsync();
        await watcher.Locator("[data-testid=jobs-scheduled] tr[data-job=promotion] >> text=Run now").WaitForAsync();
        await tester.GotoAsync("/jobs");
        await BrowserFixture.WaitInteractiveAsync(tester);
        await tester.Locator($"[data-testid=jobs-recent] tr[data-candidate='{Candidate}']").WaitForAsync();
        Assert.Equal(0, await tester.Locator("text=Run now").CountAsync());

        await tester.Context.CloseAsync();
        await watcher.Context.CloseAsync();
    }

    private static string WriteCompose()
    {
        var root = Path.Combine(Path.GetTempPath(), "composegate-live", Guid.NewGuid().ToString("N"));
        var compose = ComposeGate.Candidates.Demo.SyntheticCompose.Generate(new() { SourcePackageCount = 50, Date = "20261201", Seed = 3 });
        return compose.WriteTo(root);
    }
}

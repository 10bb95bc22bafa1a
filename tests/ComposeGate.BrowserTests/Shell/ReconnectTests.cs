using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests.Shell;

/// <summary>
/// The page's connection to the server breaks. The reconnection dialog says so, and the person is back on a live page
/// without doing anything: on the same circuit after a network drop, on a reloaded page after a server restart. A
/// paused page resumes with what was typed and not saved.
/// </summary>
[Collection(PublishedCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ReconnectTests(PublishedApp app)
{
    private const string OpenDialog = "#components-reconnect-modal[open]";
    private const string Draft = "requires:\n  - testcase: reconnect.smoke\n  - soak: 2h\n  - nonsense: true\n";

    [Fact]
    public async Task Page_ServerKilledAndStartedAgain_ShowsTheDialogThenReloadsSignedInByItself()
    {
        var dataDir = app.NewDataDir();
        var port = AppProcess.FreePort();
        IPage page;
        using (var first = await app.StartAsync(dataDir, port))
        {
            page = await SignedInPageAsync(first.Address);
            await page.GotoAsync("/streams");
            await BrowserFixture.WaitInteractiveAsync(page);
            first.Kill();
        }

        var dialog = page.Locator(OpenDialog);
        await dialog.WaitForAsync();
        Assert.Contains("Connection to ComposeGate lost", await dialog.InnerTextAsync());
        Assert.Contains("Reconnecting", await dialog.InnerTextAsync());

        var reloaded = new TaskCompletionSource();
        page.Load += (_, _) => reloaded.TrySetResult();
        using var second = await app.StartAsync(dataDir, port);
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(90));
        await BrowserFixture.WaitInteractiveAsync(page);
        Assert.Equal("/streams", new Uri(page.Url).AbsolutePath);
        Assert.Equal("admin", await page.TextContentAsync("[data-testid=signed-in-user] .cg-user-name"));
        await AssertLiveAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Page_NetworkDropsForSeconds_ComesBackOnTheSameCircuitWithItsState()
    {
        var port = AppProcess.FreePort();
        using var server = await app.StartAsync(app.NewDataDir(), port);
        using var link = new LoopbackLink(port);
        var page = await SignedInPageAsync(link.Address);
        await page.GotoAsync("/api-reference");
        await BrowserFixture.WaitInteractiveAsync(page);
        var filter = page.GetByPlaceholder("Filter by path or summary");
        await filter.FillAsync("token");
        var tokens = page.Locator("h2.cg-section", new() { HasText = "Tokens" });
        var streams = page.Locator("h2.cg-section", new() { HasText = "Streams" });
        await streams.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var loads = CountLoads(page);

        link.Cut();
        var dialog = page.Locator(OpenDialog);
        await dialog.WaitForAsync();
        Assert.Contains("Reconnecting", await dialog.InnerTextAsync());
        // The network stays down for a few seconds, long enough for the first quick attempts to fail.
        await Task.Delay(TimeSpan.FromSeconds(3));
        link.Restore();

        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached, Timeout = 30_000 });
        await BrowserFixture.WaitInteractiveAsync(page);
        Assert.Equal(0, loads());
        Assert.Equal("token", await filter.InputValueAsync());
        Assert.Equal(1, await tokens.CountAsync());
        Assert.Equal(0, await streams.CountAsync());
        // The same circuit goes on serving the page.
        await filter.FillAsync("stream");
        await streams.WaitForAsync();
        await AssertLiveAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Drafts_CircuitPausedThenResumed_AreStillThere()
    {
        var port = AppProcess.FreePort();
        using var server = await app.StartAsync(app.NewDataDir(), port);
        var (runId, item) = await StartChecklistRunAsync(server.Address, "reconnect");
        var page = await SignedInPageAsync(server.Address);
        var loads = CountLoads(page);

        await page.GotoAsync("/policies/reconnect");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.FillAsync("[data-testid=policy-yaml]", Draft);
        // The server has the draft when it says what is wrong with it.
        await page.Locator("[data-testid=policy-errors]").WaitForAsync();
        await PauseAndResumeAsync(page);
        Assert.Equal(Draft, await page.InputValueAsync("[data-testid=policy-yaml]"));
        await page.Locator("[data-testid=policy-errors]").WaitForAsync();

        await page.GotoAsync($"/checklist-runs/{runId}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.FillAsync($"[data-testid=comment-{item}]", "boots, but slowly");
        await page.Keyboard.PressAsync("Tab");
        await PauseAndResumeAsync(page);
        Assert.Equal("boots, but slowly", await page.InputValueAsync($"[data-testid=comment-{item}]"));
        Assert.Equal(2, loads());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Drafts_AnotherRunOnTheSamePage_StartWithoutTheFirstRunsComments()
    {
        var port = AppProcess.FreePort();
        using var server = await app.StartAsync(app.NewDataDir(), port);
        var (first, item) = await StartChecklistRunAsync(server.Address, "first-run");
        var (second, _) = await StartChecklistRunAsync(server.Address, "second-run");
        using (var api = PublishedApp.CreateAdminClient(server.Address))
        {
            // Tells the two runs apart on the page: the first has an item recorded.
            (await api.PutAsJsonAsync($"/api/v1/checklist-runs/{first}/items/{item}", new { state = "passed" })).EnsureSuccessStatusCode();
        }
        var page = await SignedInPageAsync(server.Address);
        await page.GotoAsync($"/checklist-runs/{first}");
        await BrowserFixture.WaitInteractiveAsync(page);
        var open = await page.Locator(".cg-run-item-open [data-testid^=comment-]").First.GetAttributeAsync("data-testid");
        await page.FillAsync($"[data-testid={open}]", "meant for the first run");
        await page.Keyboard.PressAsync("Tab");

        // The same page component on the same circuit shows the other run.
        await page.EvaluateAsync($"() => Blazor.navigateTo('/checklist-runs/{second}')");
        await page.Locator("[data-testid=run-count]", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^0 of") }).WaitForAsync();

        Assert.Equal("", await page.InputValueAsync($"[data-testid={open}]"));
        await page.Context.CloseAsync();
    }

    private async Task<IPage> SignedInPageAsync(Uri address)
    {
        var page = await BrowserFixture.NewPageAsync(app.Browser, address);
        await BrowserFixture.SignInAsync(page, "admin", PublishedApp.AdminPassword);
        return page;
    }

    /// <summary>How many times the page has loaded since this call.</summary>
    private static Func<int> CountLoads(IPage page)
    {
        var loads = 0;
        page.Load += (_, _) => Interlocked.Increment(ref loads);
        return () => Volatile.Read(ref loads);
    }

    /// <summary>A click the circuit has to answer: the theme toggle changes its own title.</summary>
    private static async Task AssertLiveAsync(IPage page)
    {
        var title = await page.GetAttributeAsync("[data-testid=theme-toggle]", "title");
        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.Locator($"[data-testid=theme-toggle]:not([title='{title}'])").WaitForAsync();
    }

    /// <summary>
    /// Blazor.pauseCircuit() is how a page hands its state to the browser and frees its circuit on the server (the app
    /// never calls it itself); the dialog's Resume button brings the page back on a new circuit.
    /// </summary>
    private static async Task PauseAndResumeAsync(IPage page)
    {
        // The resumed circuit renders the page anew; until it has, the paused page's markup is still there.
        await page.EvalOnSelectorAsync(".cg-shell", "shell => shell.setAttribute('data-paused-markup', '')");
        Assert.True(await page.EvaluateAsync<bool>("() => Blazor.pauseCircuit()"));
        var dialog = page.Locator(OpenDialog);
        await dialog.WaitForAsync();
        Assert.Contains("This page is paused", await dialog.InnerTextAsync());
        await page.ClickAsync("#cg-reconnect-resume");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.Locator(".cg-shell:not([data-paused-markup])").WaitForAsync();
        await BrowserFixture.WaitInteractiveAsync(page);
    }

    /// <summary>An image stream with a candidate and a run of the shipped Gitpod checklist: its id and first item.</summary>
    private static async Task<(long RunId, string Item)> StartChecklistRunAsync(Uri address, string stream)
    {
        using var api = PublishedApp.CreateAdminClient(address);
        (await api.PostAsJsonAsync("/api/v1/streams", new { name = stream, kind = "image" })).EnsureSuccessStatusCode();
        var candidate = await PostAsync(api, $"/api/v1/streams/{stream}/candidates",
            new { image = $"registry.example/{stream}/workspace", tag = "main", digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stream))) });
        var run = await PostAsync(api, $"/api/v1/candidates/{Uri.EscapeDataString(candidate.GetProperty("id").GetString()!)}/checklists",
            new { template = "gitpod-workspace" });
        return (run.GetProperty("id").GetInt64(), run.GetProperty("items")[0].GetProperty("key").GetString()!);
    }

    private static async Task<JsonElement> PostAsync(HttpClient api, string path, object body)
    {
        var response = await api.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

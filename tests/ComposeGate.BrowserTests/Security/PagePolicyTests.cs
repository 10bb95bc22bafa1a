using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests.Security;

/// <summary>
/// The Content-Security-Policy allows no inline script and no eval; every page must still work under it — the
/// interactive ones reach their live circuit, the static Identity pages their forms — without the browser having
/// refused anything.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PagePolicyTests(BrowserFixture app)
{
    public static TheoryData<string> InteractivePages() => new()
    {
        "/", "/candidates", "/streams", "/jobs", "/issues", "/policies", "/checklists", "/packages", "/api-reference",
        "/admin/tokens", "/admin/users", "/no-such-page",
    };

    [Theory]
    [MemberData(nameof(InteractivePages))]
    public async Task InteractivePage_UnderThePolicy_GoesLiveWithNothingRefused(string path)
    {
        var page = await WatchedPageAsync();
        await BrowserFixture.SignInAsync(page);

        await page.GotoAsync(path);
        await BrowserFixture.WaitInteractiveAsync(page);

        await AssertNothingRefusedAsync(page, path);
        await page.Context.CloseAsync();
    }

    public static TheoryData<string> IdentityPages() => new() { "/Account/Manage", "/Account/Manage/ChangePassword" };

    [Theory]
    [MemberData(nameof(IdentityPages))]
    public async Task IdentityPage_UnderThePolicy_ShowsItsFormWithNothingRefused(string path)
    {
        var page = await WatchedPageAsync();
        await BrowserFixture.SignInAsync(page);

        await page.GotoAsync(path);
        await page.Locator("main form, main input").First.WaitForAsync();

        await AssertNothingRefusedAsync(page, path);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignInPage_UnderThePolicy_SignsInWithNothingRefused()
    {
        var page = await WatchedPageAsync();

        await BrowserFixture.SignInAsync(page);

        await AssertNothingRefusedAsync(page, "/Account/Login");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JobDashboard_FromTheJobsPage_TriggersARecurringJobWithNothingRefused()
    {
        var page = await WatchedPageAsync();
        await BrowserFixture.SignInAsync(page);
        await page.GotoAsync("/jobs");
        await BrowserFixture.WaitInteractiveAsync(page);

        await page.GetByTestId("jobs-dashboard").GetByRole(AriaRole.Link, new() { Name = "job dashboard" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/hangfire");
        await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("ComposeGate · Jobs"));
        await page.GotoAsync("/hangfire/recurring");
        var row = page.Locator("tr").Filter(new() { HasText = "decision-refresh" });
        var before = LastJob("decision-refresh");
        await row.Locator("input[type=checkbox]").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger now" }).ClickAsync();

        // The button's POST (with the page's antiforgery token) started a run of the job.
        for (var i = 0; i < 100 && LastJob("decision-refresh") == before; i++)
        {
            await Task.Delay(50);
        }
        Assert.NotEqual(before, LastJob("decision-refresh"));
        await AssertNothingRefusedAsync(page, "/hangfire/recurring");
        await page.Context.CloseAsync();
    }

    private string? LastJob(string recurring)
    {
        using var connection = app.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        return Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Single(j => j.Id == recurring).LastJobId;
    }

    private async Task<IPage> WatchedPageAsync()
    {
        var page = await app.NewPageAsync();
        await page.Context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => (window.__cspViolations ||= []).push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));");
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (consoleRefusals)
                {
                    consoleRefusals.Add(message.Text);
                }
            }
        };
        return page;
    }

    private readonly List<string> consoleRefusals = [];

    private async Task AssertNothingRefusedAsync(IPage page, string path)
    {
        // Give late work (fonts, images, the circuit's first renders) a moment to ask for something refused.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []");
        Assert.True(violations.Length == 0, $"{path}: {string.Join("; ", violations)}");
        lock (consoleRefusals)
        {
            Assert.True(consoleRefusals.Count == 0, $"{path}: {string.Join("; ", consoleRefusals)}");
        }
    }
}

using System.Net.Http.Json;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class MergeRequestTests(BrowserFixture app)
{
    [Fact]
    public async Task NewCandidate_HasAMergeRequestWhoseDiffIsThePackageList()
    {
        using var admin = app.CreateApiClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "mr-stream", kind = "compose" });
        var compose = ComposeGate.Candidates.Demo.SyntheticCompose.Generate(new() { SourcePackageCount = 30, Date = "20261210", Seed = 5 });
        var dir = compose.WriteTo(Path.Combine(Path.GetTempPath(), "composegate-mr", Guid.NewGuid().ToString("N")));
        (await admin.PostAsJsonAsync("/api/v1/streams/mr-stream/candidates", new { url = dir })).EnsureSuccessStatusCode();
        var page = await app.SignInAsync();

        await page.GotoAsync($"/candidates/{compose.ComposeId}");
        await BrowserFixture.WaitInteractiveAsync(page);
        // The merge request opens in the background; the page shows its link once it exists.
        var link = page.Locator("[data-testid=candidate-header] a[href^='/merge-requests/']");
        for (var attempt = 0; attempt < 50 && await link.CountAsync() == 0; attempt++)
        {
            await page.WaitForTimeoutAsync(200);
            await page.ReloadAsync();
        }
        await link.ClickAsync();
        await page.WaitForURLAsync("**/merge-requests/*");
        await BrowserFixture.WaitInteractiveAsync(page);

        Assert.Contains("opened", await page.TextContentAsync("[data-testid=mr-state]"));
        var first = compose.Packages.OrderBy(p => p.Name, StringComparer.Ordinal).First();
        await page.Locator("[data-testid=mr-diff]", new() { HasText = $"+{first.Name}-{first.Evr.Version}-{first.Evr.Release}" }).WaitForAsync();
        await page.Locator("[data-testid=mr-note]", new() { HasText = "ComposeGate:" }).First.WaitForAsync();
        await page.Context.CloseAsync();
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ComposeGate.Candidates.Demo;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests;

/// <summary>The Candidate page's package diff over a full-size compose: 10,000 source packages, 60,000 RPMs.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CandidateDiffTests(BrowserFixture app) : IAsyncLifetime
{
    private readonly string composes = Path.Combine(Path.GetTempPath(), "composegate-browser-composes", Guid.NewGuid().ToString("N"));
    private SyntheticCompose previous = null!;
    private SyntheticCompose current = null!;

    public async Task InitializeAsync()
    {
        previous = SyntheticCompose.Generate(new SyntheticComposeOptions { Date = "20261101", Seed = 7 });
        current = previous.Next(new NextOptions { Upgraded = 2000, Downgraded = 300, Added = 600, Removed = 400, RpmEqual = 50 });
        using var admin = app.CreateApiClient();
        // Each test of the class runs this; the second time the stream (409) and candidates (200) exist already.
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "big-diff", kind = "compose" });
        foreach (var compose in new[] { previous, current })
        {
            var response = await admin.PostAsJsonAsync("/api/v1/streams/big-diff/candidates", new { url = compose.WriteTo(composes) });
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(composes, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Diff_TenThousandPackages_CountsFiltersSearchAndScrolling()
    {
        var verdicts = current.ExpectedVerdicts;
        int Count(SyntheticVerdict verdict) => verdicts.Values.Count(v => v == verdict);
        var total = verdicts.Count;
        Assert.True(total >= 10_000);
        var page = await app.SignInAsync();

        await page.GotoAsync($"/candidates/{current.ComposeId}?against={previous.ComposeId}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.WaitForSelectorAsync("[data-testid=diff-grid] .rz-data-row");

        // Counts per change type, exactly as rpm orders the versions.
        Assert.Equal($"upgraded {Count(SyntheticVerdict.Upgraded):N0}", await ButtonText(page, "upgraded"));
        Assert.Equal($"downgraded {Count(SyntheticVerdict.Downgraded):N0}", await ButtonText(page, "downgraded"));
        Assert.Equal($"added {Count(SyntheticVerdict.Added):N0}", await ButtonText(page, "added"));
        Assert.Equal($"removed {Count(SyntheticVerdict.Removed):N0}", await ButtonText(page, "removed"));
        Assert.Equal($"unchanged {Count(SyntheticVerdict.Unchanged):N0}", await ButtonText(page, "unchanged"));
        var changed = total - Count(SyntheticVerdict.Unchanged);
        await Expect(page, $"Showing {changed:N0} of {total:N0} packages.");

        // Every package, unchanged ones too, scrolled to the very end of the virtualized grid.
        await page.ClickAsync("[data-testid=diff-kind-all]");
        await Expect(page, $"Showing {total:N0} of {total:N0} packages.");
        var last = verdicts.Keys.Order(StringComparer.Ordinal).Last();
        // The virtualized grid renders rows as they scroll into view and may grow its estimate meanwhile:
        // keep scrolling to the bottom until the last package is rendered.
        var lastRow = page.Locator("[data-testid=diff-grid] .rz-data-row", new() { HasText = last });
        for (var attempt = 0; attempt < 40 && await lastRow.CountAsync() == 0; attempt++)
        {
            await page.EvalOnSelectorAsync("[data-testid=diff-grid] .rz-data-grid-data", "grid => grid.scrollTop = grid.scrollHeight");
            await page.WaitForTimeoutAsync(250);
        }
        await lastRow.First.WaitForAsync();

        // A count shows only that kind (downgrades): each row shows old → new.
        await page.ClickAsync("[data-testid=diff-kind-downgraded]");
        await Expect(page, $"Showing {Count(SyntheticVerdict.Downgraded):N0} of {total:N0} packages.");
        await page.EvalOnSelectorAsync("[data-testid=diff-grid] .rz-data-grid-data", "grid => grid.scrollTop = 0");
        var downgrade = current.Changes.First(c => c.Verdict == SyntheticVerdict.Downgraded);
        var row = page.Locator("[data-testid=diff-grid] .rz-data-row", new() { HasText = downgrade.Name }).First;
        var text = System.Text.RegularExpressions.Regex.Replace((await row.TextContentAsync())!, @"\s+", "");
        Assert.Contains($"{downgrade.Before}→{downgrade.After}", text, StringComparison.Ordinal);
        // The versions are never cut off: they wrap inside their cell, and the tooltip holds the whole change.
        var versions = row.Locator(".cg-evr");
        Assert.Equal($"{downgrade.Before} → {downgrade.After}", await versions.GetAttributeAsync("title"));
        Assert.True(await versions.EvaluateAsync<bool>(
            "e => e.getBoundingClientRect().right <= e.closest('.rz-cell-data, td').getBoundingClientRect().right + 1"), "the new version is cut off");

        // Clicking it again shows every change again; then only upgrades, and search by name narrows to one.
        await page.ClickAsync("[data-testid=diff-kind-downgraded]");
        await Expect(page, $"Showing {changed:N0} of {total:N0} packages.");
        await page.ClickAsync("[data-testid=diff-kind-upgraded]");
        await Expect(page, $"Showing {Count(SyntheticVerdict.Upgraded):N0} of {total:N0} packages.");
        var upgrade = current.Changes.First(c => c.Verdict == SyntheticVerdict.Upgraded);
        await page.FillAsync("[data-testid=diff-search]", upgrade.Name);
        await page.Locator("[data-testid=diff-grid] .rz-data-row", new() { HasText = upgrade.Name }).First.WaitForAsync();
        var shown = await page.Locator("[data-testid=diff-grid] .rz-data-row").AllTextContentsAsync();
        Assert.All(shown, text => Assert.Contains(upgrade.Name, text, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Manifest_ShowsTheRpmsOfEachVariantAndArch()
    {
        var page = await app.SignInAsync();
        await page.GotoAsync($"/candidates/{current.ComposeId}");
        await BrowserFixture.WaitInteractiveAsync(page);

        Assert.Contains($"{current.Packages.Count.ToString("N0", CultureInfo.InvariantCulture)} source packages", await page.TextContentAsync("[data-testid=manifest-counts]"));
        await page.ClickAsync(".rz-tabview-nav >> text=Manifest");
        await page.WaitForSelectorAsync("[data-testid=manifest-grid] .rz-data-row");
        Assert.Contains("AppStream · aarch64", await page.TextContentAsync("[data-testid=manifest-part]"));
        await page.Context.CloseAsync();
    }

    private static async Task<string> ButtonText(IPage page, string kind) =>
        (await page.TextContentAsync($"[data-testid=diff-kind-{kind}]"))!.Trim();

    private static Task Expect(IPage page, string shown) =>
        page.Locator("[data-testid=diff-shown]", new() { HasText = shown }).WaitForAsync();
}

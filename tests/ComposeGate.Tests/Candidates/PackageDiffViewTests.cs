using System.Net;
using System.Net.Http.Json;
using Bunit;
using ComposeGate.Tests.Components;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Candidates;

namespace ComposeGate.Tests.Candidates;

/// <summary>The candidate page's package diff as a release engineer uses it: the change-type chips and the versions.</summary>
public sealed class PackageDiffViewTests(ComposeGateFactory app) : IClassFixture<ComposeGateFactory>, IAsyncLifetime
{
    private static readonly TestCompose Before = new("CentOS-Stream-10-20261201.0",
    [
        new("bash", "0:5.2.26-4.el10", "bash"),
        new("kernel", "0:6.12.0-10.el10", "kernel"),
        new("glibc", "0:2.39-10.el10", "glibc"),
        new("openssl", "1:3.2.2-2.el10", "openssl"),
        new("gone", "0:1.0-1.el10", "gone"),
    ]);

    private static readonly TestCompose After = new("CentOS-Stream-10-20261202.0",
    [
        new("bash", "0:5.2.26-6.el10", "bash"),            // upgraded
        new("kernel", "0:6.12.0-9.el10", "kernel"),        // downgraded
        new("glibc", "0:2.39-10.el10", "glibc"),           // unchanged
        new("openssl", "1:3.5.0-1.el10", "openssl"),       // upgraded
        new("fresh", "0:0.1-1.el10", "fresh"),             // added
    ]);

    [Fact]
    public void KindChips_ClickingACount_ShowsOnlyThatKindAndASecondClickResets()
    {
        using var ctx = Context();
        var diff = Render(ctx);

        Shown(diff, "Showing 5 of 6 packages.");
        Assert.Equal("true", Chip(diff, "changed").GetAttribute("aria-pressed"));

        Chip(diff, "upgraded").Click();
        Shown(diff, "Showing 2 of 6 packages.");
        Assert.Equal("true", Chip(diff, "upgraded").GetAttribute("aria-pressed"));
        Assert.Equal("false", Chip(diff, "changed").GetAttribute("aria-pressed"));

        Chip(diff, "downgraded").Click();
        Shown(diff, "Showing 1 of 6 packages.");

        Chip(diff, "downgraded").Click();
        Shown(diff, "Showing 5 of 6 packages.");
        Assert.Equal("true", Chip(diff, "changed").GetAttribute("aria-pressed"));

        Chip(diff, "unchanged").Click();
        Shown(diff, "Showing 1 of 6 packages.");
        Chip(diff, "all").Click();
        Shown(diff, "Showing 6 of 6 packages.");
        Chip(diff, "changed").Click();
        Shown(diff, "Showing 5 of 6 packages.");
    }

    [Fact]
    public void KindChips_CountEachKindAndEveryPackage()
    {
        using var ctx = Context();
        var diff = Render(ctx);

        Assert.Equal("changed 5", Chip(diff, "changed").TextContent.Trim());
        Assert.Equal("upgraded 2", Chip(diff, "upgraded").TextContent.Trim());
        Assert.Equal("downgraded 1", Chip(diff, "downgraded").TextContent.Trim());
        Assert.Equal("added 1", Chip(diff, "added").TextContent.Trim());
        Assert.Equal("removed 1", Chip(diff, "removed").TextContent.Trim());
        Assert.Equal("unchanged 1", Chip(diff, "unchanged").TextContent.Trim());
        Assert.Equal("all 6", Chip(diff, "all").TextContent.Trim());
    }

    [Fact]
    public void Search_NarrowsTheChosenKindByName()
    {
        using var ctx = Context();
        var diff = Render(ctx);

        diff.Find("input[data-testid=diff-search]").Input("open");
        Shown(diff, "Showing 1 of 6 packages.");
        Chip(diff, "downgraded").Click();
        Shown(diff, "Showing 0 of 6 packages.");
    }

    private AppComponentContext Context() => new(app.Services, Principals.With("rita", "ReleaseEngineer"));

    private static IRenderedComponent<PackageDiffView> Render(AppComponentContext ctx)
    {
        var diff = ctx.Render<PackageDiffView>(p => p
            .Add(v => v.CandidateId, After.Id)
            .Add(v => v.Stream, "cs10")
            .Add(v => v.Against, Before.Id));
        diff.WaitForAssertion(() => Assert.NotEmpty(diff.FindAll("[data-testid=diff-shown]")));
        return diff;
    }

    // Each test submits the two composes; after the first, the stream (409) and candidates (200) exist already.
    public async Task InitializeAsync()
    {
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" });
        foreach (var compose in new[] { Before, After })
        {
            var response = await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content());
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static AngleSharp.Dom.IElement Chip(IRenderedComponent<PackageDiffView> diff, string kind) =>
        diff.Find($"[data-testid=diff-kind-{kind}]");

    private static void Shown(IRenderedComponent<PackageDiffView> diff, string text) =>
        diff.WaitForAssertion(() => Assert.Equal(text, diff.Find("[data-testid=diff-shown]").TextContent.Trim()));
}

using AngleSharp.Html.Parser;
using ComposeGate.Candidates;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Components.Layout;
using ComposeGate.Web.Components.Shared;

namespace ComposeGate.Tests.Components;

public sealed class ComponentRenderTests
{
    [Fact]
    public async Task NavMenu_ForAnAdmin_IncludesTheAdminArea()
    {
        var html = await ComponentRenderer.RenderAsAsync<NavMenu>(Principals.Admin);

        var links = Links(html);
        Assert.Contains("Dashboard", links);
        Assert.Contains("Streams", links);
        Assert.Contains("Users", links);
        Assert.Contains("API tokens", links);
    }

    [Fact]
    public async Task NavMenu_ForAViewer_HidesTheAdminArea()
    {
        var html = await ComponentRenderer.RenderAsAsync<NavMenu>(Principals.With("vera", "Viewer"));

        var links = Links(html);
        Assert.Contains("Dashboard", links);
        Assert.Contains("API", links);
        Assert.DoesNotContain("Users", links);
        Assert.DoesNotContain("API tokens", links);
    }

    [Fact]
    public async Task NavMenu_ForNobody_ShowsNothing()
    {
        var html = await ComponentRenderer.RenderAsAsync<NavMenu>(new System.Security.Claims.ClaimsPrincipal());

        Assert.Empty(Links(html));
    }

    [Theory]
    [InlineData(CandidateStatus.Promoted, "promoted", "success")]
    [InlineData(CandidateStatus.Failed, "failed", "danger")]
    [InlineData(CandidateStatus.Rejected, "rejected", "danger")]
    [InlineData(CandidateStatus.Gating, "gating", "warning")]
    [InlineData(CandidateStatus.Approved, "approved", "info")]
    public async Task StatusChip_ShowsTheStatusInItsColour(CandidateStatus status, string text, string style)
    {
        var html = await ComponentRenderer.RenderAsync<StatusChip>(new Dictionary<string, object?> { ["Status"] = status });

        var badge = new HtmlParser().ParseDocument(html).QuerySelector(".rz-badge")!;
        Assert.Equal(text, badge.TextContent.Trim());
        Assert.Contains($"rz-badge-{style}", badge.ClassName);
    }

    [Fact]
    public async Task PageHeading_RendersTitleAndSubtitle()
    {
        var html = await ComponentRenderer.RenderAsync<PageHeading>(new Dictionary<string, object?>
        {
            ["Title"] = "Streams",
            ["Subtitle"] = "Lines of candidates.",
        });

        var document = new HtmlParser().ParseDocument(html);
        Assert.Equal("Streams", document.QuerySelector("h1")!.TextContent);
        Assert.Equal("Lines of candidates.", document.QuerySelector(".cg-subtitle")!.TextContent);
    }

    private static List<string> Links(string html) =>
        new HtmlParser().ParseDocument(html).QuerySelectorAll(".rz-navigation-item-text").Select(e => e.TextContent.Trim()).ToList();
}

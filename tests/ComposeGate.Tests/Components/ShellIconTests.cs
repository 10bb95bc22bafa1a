using AngleSharp.Html.Parser;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.Tests.Components;

/// <summary>The page shell as a signed-in admin receives it.</summary>
public sealed class ShellIconTests(SignedInFactory app) : IClassFixture<SignedInFactory>
{
    [Fact]
    public async Task Header_ChangePasswordIcon_DiffersFromTheSidebarsApiTokensIcon()
    {
        var html = await app.Browser.GetStringAsync("/");
        var page = new HtmlParser().ParseDocument(html);

        var changePassword = page.QuerySelector("[data-testid=change-password] i")?.TextContent.Trim();
        var tokens = page.QuerySelectorAll("a[href='admin/tokens']").Single().QuerySelector("i")?.TextContent.Trim();
        Assert.False(string.IsNullOrEmpty(changePassword), "the header has no change-password icon");
        Assert.False(string.IsNullOrEmpty(tokens), "the sidebar's API tokens entry has no icon");
        Assert.NotEqual(tokens, changePassword);
    }
}

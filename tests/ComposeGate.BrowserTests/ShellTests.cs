using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ShellTests(BrowserFixture app)
{
    [Fact]
    public async Task LoginPage_RendersAWorkingSignInForm()
    {
        var page = await app.NewPageAsync();

        await page.GotoAsync("/Account/Login");

        Assert.Equal("Sign in", await page.TextContentAsync("h1"));
        Assert.True(await page.IsVisibleAsync("#Input\\.UserName"));
        Assert.True(await page.IsVisibleAsync("#Input\\.Password"));
        await page.FillAsync("#Input\\.UserName", "admin");
        await page.FillAsync("#Input\\.Password", "wrong-password");
        await page.ClickAsync("button[type=submit]");
        await page.GetByText(ComposeGate.Web.Components.Account.Pages.Login.FailureMessage).WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignIn_LandsOnTheDashboardInTheRadzenShell()
    {
        var page = await app.SignInAsync();

        Assert.Equal("admin", (await page.TextContentAsync("[data-testid=signed-in-user]"))?.Trim().Replace("account_circle", "").Trim());
        Assert.Equal("Dashboard", await page.TextContentAsync("h1"));
        Assert.True(await page.IsVisibleAsync(".rz-header"));
        Assert.True(await page.IsVisibleAsync(".rz-sidebar >> text=API tokens"));
        Assert.Equal(0, await page.Locator("text=Counter").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        var page = await app.SignInAsync();

        await page.ClickAsync(".cg-sign-out");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/Account/Login", StringComparison.Ordinal));

        await page.GotoAsync("/admin/tokens");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/Account/Login", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_MintsAToken_SeesTheSecretOnceAndTheTokenListed()
    {
        var page = await app.SignInAsync();
        await page.ClickAsync(".rz-sidebar >> text=API tokens");
        await page.WaitForURLAsync("**/admin/tokens");
        await BrowserFixture.WaitInteractiveAsync(page);

        await page.ClickAsync("[data-testid=mint-open]");
        await page.FillAsync("[data-testid=token-name]", "browser-bot");
        await page.ClickAsync("[data-testid=mint-submit]");

        var secret = (await page.Locator("[data-testid=minted-secret]").TextContentAsync())!.Trim();
        Assert.StartsWith("cg_", secret);
        var row = page.Locator("[data-testid=tokens-grid] tr", new() { HasText = "browser-bot" });
        await row.WaitForAsync();
        Assert.Contains("Reporter", await row.TextContentAsync());
        Assert.Contains("never", await row.TextContentAsync());

        // The secret shown is a working token for that bot account.
        using var bot = app.CreateApiClient(secret);
        var me = await bot.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("browser-bot", me.GetProperty("name").GetString());

        // Shown once: after a reload only the prefix is there.
        await page.ReloadAsync();
        await BrowserFixture.WaitInteractiveAsync(page);
        Assert.DoesNotContain(secret, await page.ContentAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_RevokesAToken_ItStopsWorking()
    {
        using var admin = app.CreateApiClient();
        var minted = await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "doomed-bot", role = "Viewer" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var page = await app.SignInAsync();
        await page.GotoAsync("/admin/tokens");
        await BrowserFixture.WaitInteractiveAsync(page);

        await page.ClickAsync("[data-testid=revoke-doomed-bot]");
        await page.Locator(".rz-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();

        await page.Locator("[data-testid=tokens-grid] tr", new() { HasText = "doomed-bot" }).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        using var bot = app.CreateApiClient(minted.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await bot.GetAsync("/api/v1/streams")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_CreatesAStream_ItIsListedAndOnTheDashboard()
    {
        var page = await app.SignInAsync();
        await page.GotoAsync("/streams");
        await BrowserFixture.WaitInteractiveAsync(page);

        await page.ClickAsync("[data-testid=new-stream]");
        await page.FillAsync("[data-testid=stream-name]", "gitpod-workspace");
        await page.ClickAsync("[data-testid=create-stream]");

        await page.Locator("[data-testid=streams-grid] tr", new() { HasText = "gitpod-workspace" }).WaitForAsync();
        await page.GotoAsync("/");
        await page.Locator("[data-testid=stream-card]", new() { HasText = "gitpod-workspace" }).WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDark_AndIsRememberedAcrossVisits()
    {
        var page = await app.SignInAsync();
        Assert.Contains("material-base", await page.Locator("link[href*='material']").First.GetAttributeAsync("href"));

        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.WaitForSelectorAsync("link[href*='material-dark']", new() { State = WaitForSelectorState.Attached });

        await page.WaitForFunctionAsync("() => document.cookie.includes('ComposeGateTheme=material-dark')");
        // A new visit is served dark from the start (no light flash): the server read the cookie.
        var response = await page.ReloadAsync();
        Assert.Contains("material-dark", await response!.TextAsync());
        await BrowserFixture.WaitInteractiveAsync(page);
        Assert.Equal("light_mode", (await page.TextContentAsync("[data-testid=theme-toggle]"))?.Trim());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Viewer_DoesNotSeeTheAdminArea()
    {
        await CreateViewerAsync("vic", "Vic-Viewer-2026");
        var page = await app.SignInAsync("vic", "Vic-Viewer-2026");

        Assert.Equal(0, await page.Locator(".rz-sidebar >> text=API tokens").CountAsync());
        await page.GotoAsync("/admin/tokens");
        await page.WaitForSelectorAsync("text=Access denied");
        await page.Context.CloseAsync();
    }

    /// <summary>Creates a user through the Users page; new users get the Viewer role unless changed.</summary>
    private async Task CreateViewerAsync(string user, string password)
    {
        var page = await app.SignInAsync();
        await page.GotoAsync("/admin/users");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.ClickAsync("[data-testid=new-user]");
        await page.FillAsync("[data-testid=user-name]", user);
        await page.FillAsync("[data-testid=user-password] input, input[name=password]", password);
        await page.ClickAsync("[data-testid=create-user]");
        await page.Locator("[data-testid=users-grid] tr", new() { HasText = user }).WaitForAsync();
        await page.Context.CloseAsync();
    }
}

using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Components.Account.Pages;
using ComposeGate.Web.Features.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests.Account;

/// <summary>
/// Passkeys end to end in Chromium, with its virtual WebAuthn authenticator standing in for a laptop's: added on the
/// account page, renamed, used to sign in with no password typed, refused to a disabled or locked account with the one
/// failure message, and useless once removed. On http://localhost: WebAuthn refuses IP-address origins.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Slow")]
public sealed class PasskeyTests(BrowserFixture app)
{
    private static readonly ClaimsPrincipal Admin =
        new(new ClaimsIdentity([new(ClaimTypes.Name, "admin"), new(ClaimTypes.Role, Roles.Admin)], "test"));

    [Fact]
    public async Task Passkey_AddedRenamedAndUsed_SignsInWithoutAPasswordOntoTheDashboard()
    {
        await CreatePersonAsync("petra");
        var page = await NewPageWithAuthenticatorAsync();
        await BrowserFixture.SignInAsync(page, "petra", Password("petra"));

        await AddPasskeyAsync(page, "Laptop");
        var row = page.Locator("[data-testid=passkeys] tbody tr");
        Assert.Equal(1, await row.CountAsync());
        Assert.Contains("Laptop", await row.TextContentAsync());

        await OpenPasskeyAsync(page, "Laptop");
        await page.FillAsync("#Input\\.Name", "Work laptop");
        await page.ClickAsync("button:text('Rename')");
        await page.GetByText("The passkey is now called 'Work laptop'.").WaitForAsync();
        Assert.Contains("Work laptop", await row.TextContentAsync());

        await SignOutAsync(page);
        await page.ClickAsync("button:text('Sign in with a passkey')");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await BrowserFixture.WaitInteractiveAsync(page);

        Assert.Equal("petra", (await page.TextContentAsync("[data-testid=signed-in-user] .cg-user-name"))?.Trim());
        Assert.Equal("Dashboard", await page.TextContentAsync("h1"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PasskeySignIn_DisabledOrLockedAccount_IsRefusedWithTheOneFailureMessage()
    {
        var dora = await CreatePersonAsync("dora");
        var page = await NewPageWithAuthenticatorAsync();
        await BrowserFixture.SignInAsync(page, "dora", Password("dora"));
        await AddPasskeyAsync(page, "Dora's laptop");
        await SignOutAsync(page);
        var users = app.Services.GetRequiredService<UserAdministration>();

        Assert.IsType<Outcome<UserSummary>.Ok>(await users.SetDisabledAsync(Admin, dora.Id, disabled: true));
        await page.ClickAsync("button:text('Sign in with a passkey')");
        await page.GetByText(Login.FailureMessage).WaitForAsync();

        Assert.IsType<Outcome<UserSummary>.Ok>(await users.SetDisabledAsync(Admin, dora.Id, disabled: false));
        await LockOutAsync("dora");
        await page.ClickAsync("button:text('Sign in with a passkey')");
        await page.GetByText(Login.FailureMessage).WaitForAsync();

        Assert.Equal("/Account/Login", new Uri(page.Url).AbsolutePath);
        Assert.Equal(0, await page.Locator("[data-testid=signed-in-user]").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Passkey_Removed_NoLongerSignsIn()
    {
        await CreatePersonAsync("rita");
        var page = await NewPageWithAuthenticatorAsync();
        await BrowserFixture.SignInAsync(page, "rita", Password("rita"));
        await AddPasskeyAsync(page, "Old phone");

        await OpenPasskeyAsync(page, "Old phone");
        await page.ClickAsync("button:text('Remove this passkey')");
        await page.GetByText("The passkey 'Old phone' has been removed.").WaitForAsync();
        Assert.True(await page.IsVisibleAsync("[data-testid=no-passkeys]"));
        await SignOutAsync(page);
        // The authenticator still holds the passkey and offers it; the site no longer knows it.
        await page.ClickAsync("button:text('Sign in with a passkey')");
        await page.GetByText(Login.FailureMessage).WaitForAsync();

        Assert.Equal(0, await page.Locator("[data-testid=signed-in-user]").CountAsync());
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// A page on http://localhost (the fixture's address names 127.0.0.1) whose tab has Chromium's virtual authenticator:
    /// a platform authenticator with discoverable credentials that verifies its user and confirms at once.
    /// </summary>
    private async Task<IPage> NewPageWithAuthenticatorAsync()
    {
        var localhost = new UriBuilder(app.BaseAddress) { Host = "localhost" }.Uri;
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = localhost.ToString(),
            ViewportSize = new() { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var devtools = await context.NewCDPSessionAsync(page);
        await devtools.SendAsync("WebAuthn.enable");
        await devtools.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return page;
    }

    private static async Task AddPasskeyAsync(IPage page, string name)
    {
        await page.GotoAsync("/Account/Manage/Passkeys");
        await page.FillAsync("#Input\\.Name", name);
        await page.ClickAsync("button:text('Add a passkey')");
        await page.GetByText("The passkey has been added").WaitForAsync();
    }

    /// <summary>Follows the passkey's link to its page, which enhanced navigation swaps in without a page load.</summary>
    private static async Task OpenPasskeyAsync(IPage page, string name)
    {
        await page.Locator("[data-testid=passkeys] tr", new() { HasText = name }).GetByText("Rename or remove").ClickAsync();
        await page.WaitForURLAsync("**/Account/Manage/RenamePasskey/*");
        await page.Locator("h2", new() { HasText = $"Passkey “{name}”" }).WaitForAsync();
    }

    /// <summary>Signs out with the header's button and opens the sign-in page.</summary>
    private static async Task SignOutAsync(IPage page)
    {
        await page.GotoAsync("/");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.ClickAsync(".cg-sign-out");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/Account/Login", StringComparison.Ordinal));
        await page.GotoAsync("/Account/Login");
    }

    private async Task<UserSummary> CreatePersonAsync(string name)
    {
        var created = await app.Services.GetRequiredService<UserAdministration>().CreateAsync(Admin, new(name, Password(name), [Roles.Viewer]));
        return Assert.IsType<Outcome<UserSummary>.Ok>(created).Value;
    }

    private async Task LockOutAsync(string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByNameAsync(name);
        Assert.True((await users.SetLockoutEndDateAsync(user!, DateTimeOffset.UtcNow.AddMinutes(5))).Succeeded);
    }

    private static string Password(string name) => $"{name}-Pass-2026";
}

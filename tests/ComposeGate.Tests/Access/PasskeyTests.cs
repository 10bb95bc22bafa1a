using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AngleSharp.Html.Parser;
using ComposeGate.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Api;
using ComposeGate.Web.Components.Account.Pages;
using ComposeGate.Web.Features.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Access;

/// <summary>
/// Passkeys over HTTP, with a software authenticator doing what the browser's would: options only with the page's
/// antiforgery token (and for adding one, only for the person signed in with the cookie), sign-in refused to disabled
/// and locked accounts with the one failure message, each attempt counted against the sign-in budget, and every change
/// recorded in the audit trail.
/// </summary>
public sealed class PasskeyTests : IClassFixture<PasskeyTests.PasskeyApp>
{
    private const string PasskeysPage = "/Account/Manage/Passkeys";
    private const string LoginPage = "/Account/Login";

    private readonly PasskeyApp app;

    public PasskeyTests(PasskeyApp app) => this.app = app;

    /// <summary>The app with a sign-in budget too large to get in these tests' way.</summary>
    public sealed class PasskeyApp : ComposeGateFactory
    {
        public PasskeyApp() => Settings["ComposeGate:SignIn:AttemptLimit"] = "1000";

        public HttpClient NewBrowser() => Browser(this);

        /// <summary>A new Viewer, and a browser signed in as them with their password.</summary>
        public async Task<(UserSummary User, HttpClient Browser)> PersonAsync(string name)
        {
            var users = Services.GetRequiredService<UserAdministration>();
            var created = await users.CreateAsync(Principals.Admin, new(name, Password(name), [Roles.Viewer]));
            var user = Assert.IsType<Outcome<UserSummary>.Ok>(created).Value;
            var browser = NewBrowser();
            Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, name, Password(name))).StatusCode);
            return (user, browser);
        }

        public static string Password(string user) => $"{user}-Pass-2026";
    }

    [Fact]
    public async Task CreationOptions_SignedInWithThePagesToken_DescribeTheirAccountForADiscoverablePasskey()
    {
        var (_, browser) = await app.PersonAsync("olga");

        var response = await PostOptionsAsync(browser, "/Account/PasskeyCreationOptions", await browser.GetStringAsync(PasskeysPage));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "Each answer holds a one-time challenge.");
        using var options = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = options.RootElement;
        Assert.Equal("localhost", root.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal("olga", root.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("required", root.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
        Assert.Equal("required", root.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
    }

    [Fact]
    public async Task CreationOptions_WithoutTheAntiforgeryToken_Is400()
    {
        var (_, browser) = await app.PersonAsync("oskar");
        await browser.GetStringAsync(PasskeysPage);

        var missing = await browser.PostAsync("/Account/PasskeyCreationOptions", null);

        await Problem.ReadAsync(missing, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreationOptions_SignedOut_Is401()
    {
        using var browser = app.NewBrowser();

        var response = await PostOptionsAsync(browser, "/Account/PasskeyCreationOptions", await browser.GetStringAsync(LoginPage));

        await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreationOptionsAndPasskeysPage_WithThePersonsBearerToken_AreRefused()
    {
        await app.PersonAsync("tilda");
        var token = await app.MintTokenAsync("tilda-laptop", Roles.Viewer, user: "tilda");
        using var bot = app.CreateClient(token);

        var options = await bot.PostAsync("/Account/PasskeyCreationOptions", null);
        var page = await bot.GetAsync(PasskeysPage);

        // A token may act for the person on the API, never add a way to sign in as them.
        await Problem.ReadAsync(options, HttpStatusCode.Unauthorized);
        Assert.Equal(LoginPage, PathOf(page));
    }

    [Fact]
    public async Task RequestOptions_WithoutTheAntiforgeryToken_Is400()
    {
        using var browser = app.NewBrowser();
        await browser.GetStringAsync(LoginPage);

        var missing = await browser.PostAsync("/Account/PasskeyRequestOptions", null);

        await Problem.ReadAsync(missing, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RequestOptions_NamingAnAccountWithAPasskey_ListNoPasskeys()
    {
        var (_, owner) = await app.PersonAsync("nadia");
        using var authenticator = new SoftwareAuthenticator();
        await AddPasskeyAsync(owner, authenticator, "Phone");
        using var stranger = app.NewBrowser();

        var response = await PostOptionsAsync(stranger, "/Account/PasskeyRequestOptions?username=nadia", await stranger.GetStringAsync(LoginPage));

        // Listing her passkeys would tell anyone that the account exists and holds one.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var options = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(!options.RootElement.TryGetProperty("allowCredentials", out var allowed) || allowed.GetArrayLength() == 0,
            options.RootElement.ToString());
    }

    [Fact]
    public async Task PasskeySignIn_AfterAddingAPasskey_SignsInWithoutAPasswordAndIsAudited()
    {
        var (_, browser) = await app.PersonAsync("petra");
        using var authenticator = new SoftwareAuthenticator();

        var added = await AddPasskeyAsync(browser, authenticator, "Work laptop");
        using var elsewhere = app.NewBrowser();
        var signedIn = await PasskeySignInAsync(elsewhere, authenticator);

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Contains("Work laptop", await browser.GetStringAsync(PasskeysPage));
        Assert.Equal("/", PathOf(signedIn));
        Assert.Contains("\"name\":\"petra\"", await elsewhere.GetStringAsync("/api/v1/me"));
        Assert.Equal(["passkey.added", "passkey.signed-in"], await AuditKindsAsync("petra"));
    }

    [Fact]
    public async Task PasskeySignIn_DisabledOrLockedAccount_AnswersTheOneFailureMessageAndIsAudited()
    {
        var (dora, doraBrowser) = await app.PersonAsync("dora");
        var (_, leoBrowser) = await app.PersonAsync("leo");
        using var doraKey = new SoftwareAuthenticator();
        using var leoKey = new SoftwareAuthenticator();
        await AddPasskeyAsync(doraBrowser, doraKey, "Dora's key");
        await AddPasskeyAsync(leoBrowser, leoKey, "Leo's key");
        Assert.IsType<Outcome<UserSummary>.Ok>(await app.Services.GetRequiredService<UserAdministration>().SetDisabledAsync(Principals.Admin, dora.Id, disabled: true));
        await LockOutAsync("leo");
        using var browser = app.NewBrowser();

        var wrongPassword = await MessageOfAsync(await CookieSignInTests.SignInAsync(browser, "leo", "not-his-password"));
        var disabled = await MessageOfAsync(await PasskeySignInAsync(browser, doraKey));
        var locked = await MessageOfAsync(await PasskeySignInAsync(browser, leoKey));

        Assert.Contains(Login.FailureMessage, wrongPassword);
        Assert.Equal(wrongPassword, disabled);
        Assert.Equal(wrongPassword, locked);
        await Problem.ReadAsync(await browser.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
        Assert.Equal(["passkey.added", "passkey.sign-in-refused"], await AuditKindsAsync("dora"));
        Assert.Equal(["passkey.added", "passkey.sign-in-refused"], await AuditKindsAsync("leo"));
    }

    [Fact]
    public async Task PasskeySignIn_MalformedAnswer_AnswersTheOneFailureMessage()
    {
        using var browser = app.NewBrowser();

        var response = await browser.SubmitFormAsync(LoginPage, "login", new Dictionary<string, string> { ["Input.Passkey.CredentialJson"] = "{\"id\":\"AAAA\"}" });

        Assert.Contains(Login.FailureMessage, await MessageOfAsync(response));
    }

    [Fact]
    public async Task PasskeySignIn_BeyondTheBudget_Is429()
    {
        using var limited = new ComposeGateFactory();
        limited.Settings["ComposeGate:SignIn:AttemptLimit"] = "3";
        using var browser = Browser(limited);
        using var authenticator = new SoftwareAuthenticator();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PasskeySignInAsync(browser, authenticator)).StatusCode);
        }

        var refused = await PasskeySignInAsync(browser, authenticator);

        // A passkey sign-in is a POST of the sign-in form, so it spends the address's budget like a password does.
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task RenamePasskey_NewName_IsListedAndAudited()
    {
        var (_, browser) = await app.PersonAsync("rosa");
        using var authenticator = new SoftwareAuthenticator();
        await AddPasskeyAsync(browser, authenticator, "Old name");
        var page = RenamePage(authenticator);

        var renamed = await browser.SubmitFormAsync(page, "rename-passkey", new Dictionary<string, string> { ["Input.Name"] = "  Security key  " });
        var tooLong = await browser.SubmitFormAsync(page, "rename-passkey", new Dictionary<string, string> { ["Input.Name"] = new string('k', 101) });

        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        var list = await browser.GetStringAsync(PasskeysPage);
        Assert.Contains(">Security key<", list);
        Assert.DoesNotContain("Old name", list);
        Assert.Equal(HttpStatusCode.OK, tooLong.StatusCode);
        Assert.Contains("at most 100 characters", await tooLong.Content.ReadAsStringAsync());
        Assert.Equal(["passkey.added", "passkey.renamed"], await AuditKindsAsync("rosa"));
    }

    [Fact]
    public async Task RenamePasskey_OfAnotherAccount_IsNotFoundAndChangesNothing()
    {
        var (_, owner) = await app.PersonAsync("uma");
        var (_, other) = await app.PersonAsync("vik");
        using var authenticator = new SoftwareAuthenticator();
        await AddPasskeyAsync(owner, authenticator, "Uma key");

        var page = await other.GetAsync(RenamePage(authenticator));
        // Vik's own form and antiforgery token, posted at Uma's passkey.
        var rename = await other.PostFormAsync(RenamePage(authenticator), await other.GetStringAsync(PasskeysPage), "add-passkey",
            new Dictionary<string, string> { ["_handler"] = "rename-passkey", ["Input.Name"] = "Taken" });
        var remove = await other.PostFormAsync(RenamePage(authenticator), await other.GetStringAsync(PasskeysPage), "add-passkey",
            new Dictionary<string, string> { ["_handler"] = "remove-passkey" });

        Assert.Equal(PasskeysPage, PathOf(page));
        // The page finds no such passkey of Vik's, so it has no form to take the post: nothing is renamed or removed.
        Assert.Equal(HttpStatusCode.BadRequest, rename.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, remove.StatusCode);
        Assert.Contains(">Uma key<", await owner.GetStringAsync(PasskeysPage));
        Assert.Equal(["passkey.added"], await AuditKindsAsync("uma"));
        Assert.Empty(await AuditKindsAsync("vik"));
    }

    [Fact]
    public async Task RemovePasskey_NoLongerSignsInAndEndsTheOtherSessions()
    {
        var (_, browser) = await app.PersonAsync("rita");
        using var otherSession = app.NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(otherSession, "rita", PasskeyApp.Password("rita"))).StatusCode);
        using var authenticator = new SoftwareAuthenticator();
        await AddPasskeyAsync(browser, authenticator, "Lost phone");

        var removed = await browser.SubmitFormAsync(RenamePage(authenticator), "remove-passkey", new Dictionary<string, string>());
        using var thief = app.NewBrowser();
        var signIn = await PasskeySignInAsync(thief, authenticator);
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Contains("no passkeys", await browser.GetStringAsync(PasskeysPage));
        Assert.Contains(Login.FailureMessage, await MessageOfAsync(signIn));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);
        await Problem.ReadAsync(await otherSession.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
        Assert.Equal(["passkey.added", "passkey.removed"], await AuditKindsAsync("rita"));
    }

    [Fact]
    public async Task ResetPassword_ByAnAdmin_RemovesThePasskeysSoWhoeverAddedOneIsShutOut()
    {
        var (ingrid, browser) = await app.PersonAsync("ingrid");
        using var authenticator = new SoftwareAuthenticator();
        await AddPasskeyAsync(browser, authenticator, "Intruder's key");

        var reset = await app.Services.GetRequiredService<UserAdministration>().ResetPasswordAsync(Principals.Admin, ingrid.Id, "Ingrid-New-2026");
        using var intruder = app.NewBrowser();
        var signIn = await PasskeySignInAsync(intruder, authenticator);
        using var owner = app.NewBrowser();

        Assert.IsType<Outcome<UserSummary>.Ok>(reset);
        Assert.Contains(Login.FailureMessage, await MessageOfAsync(signIn));
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(owner, "ingrid", "Ingrid-New-2026")).StatusCode);
        Assert.Contains("no passkeys", await owner.GetStringAsync(PasskeysPage));
        Assert.Contains("Reset the password of 'ingrid' and removed their 1 passkey(s)",
            await app.WithDbAsync(db => db.AuditEvents.Where(e => e.Kind == "user.password-reset").Select(e => e.Summary).ToListAsync()));
    }

    [Fact]
    public async Task PasskeySignIn_AfterWrongPasswords_ClearsTheirCountTowardsALockout()
    {
        var (_, browser) = await app.PersonAsync("quentin");
        using var authenticator = new SoftwareAuthenticator();
        await AddPasskeyAsync(browser, authenticator, "Quentin's key");
        using var elsewhere = app.NewBrowser();
        for (var i = 0; i < 3; i++)
        {
            await CookieSignInTests.SignInAsync(elsewhere, "quentin", "not-his-password");
        }
        var before = await FailedSignInsAsync("quentin");

        var signedIn = await PasskeySignInAsync(elsewhere, authenticator);

        Assert.Equal(3, before);
        Assert.Equal("/", PathOf(signedIn));
        Assert.Equal(0, await FailedSignInsAsync("quentin"));
    }

    private Task<int> FailedSignInsAsync(string name) =>
        app.WithDbAsync(db => db.Users.Where(u => u.UserName == name).Select(u => u.AccessFailedCount).SingleAsync());

    /// <summary>What the Passkeys page's script does: options, the authenticator's new passkey, the form posted with it.</summary>
    private static async Task<HttpResponseMessage> AddPasskeyAsync(HttpClient browser, SoftwareAuthenticator authenticator, string name)
    {
        var page = await browser.GetStringAsync(PasskeysPage);
        var options = await PostOptionsAsync(browser, "/Account/PasskeyCreationOptions", page);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        var credential = authenticator.Create(await options.Content.ReadAsStringAsync());
        var added = await browser.PostFormAsync(PasskeysPage, page, "add-passkey",
            new Dictionary<string, string> { ["Input.Name"] = name, ["Input.Passkey.CredentialJson"] = credential });
        Assert.True(added.StatusCode == HttpStatusCode.Redirect, await added.Content.ReadAsStringAsync());
        return added;
    }

    /// <summary>What the sign-in page's script does: options, the authenticator's signed answer, the form posted with it.</summary>
    private static async Task<HttpResponseMessage> PasskeySignInAsync(HttpClient browser, SoftwareAuthenticator authenticator)
    {
        var page = await browser.GetStringAsync(LoginPage);
        var options = await PostOptionsAsync(browser, "/Account/PasskeyRequestOptions", page);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        var credential = authenticator.Get(await options.Content.ReadAsStringAsync());
        return await browser.PostFormAsync(LoginPage, page, "login", new Dictionary<string, string> { ["Input.Passkey.CredentialJson"] = credential });
    }

    /// <summary>POSTs to an options endpoint with the antiforgery header the page's passkey button carries.</summary>
    private static Task<HttpResponseMessage> PostOptionsAsync(HttpClient browser, string url, string page)
    {
        var button = new HtmlParser().ParseDocument(page).QuerySelector("passkey-submit") ?? throw new Xunit.Sdk.XunitException("The page has no passkey button.");
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add(button.GetAttribute("antiforgery-header")!, button.GetAttribute("antiforgery-token"));
        return browser.SendAsync(request);
    }

    /// <summary>A client that keeps cookies and, as browsers do on every POST, names the page's origin.</summary>
    private static HttpClient Browser(ComposeGateFactory factory)
    {
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        browser.DefaultRequestHeaders.Add("Origin", "http://localhost");
        return browser;
    }

    /// <summary>Where a redirect goes.</summary>
    private static string PathOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath;
    }

    private static string RenamePage(SoftwareAuthenticator authenticator) =>
        $"/Account/Manage/RenamePasskey/{System.Buffers.Text.Base64Url.EncodeToString(authenticator.CredentialId)}";

    private async Task LockOutAsync(string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByNameAsync(name);
        // Identity's lockout runs on the real clock, not the app's TimeProvider.
        Assert.True((await users.SetLockoutEndDateAsync(user!, DateTimeOffset.UtcNow.AddMinutes(5))).Succeeded);
        Assert.True(await users.IsLockedOutAsync(user!));
    }

    private Task<List<string>> AuditKindsAsync(string actor) =>
        app.WithDbAsync(db => db.AuditEvents.Where(e => e.Actor == actor && e.Kind.StartsWith("passkey.")).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync());

    /// <summary>The failure message as the page shows it, markup and all.</summary>
    private static async Task<string> MessageOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return page.QuerySelector(".cg-status:not([hidden])")?.OuterHtml ?? throw new Xunit.Sdk.XunitException("The page shows no message.");
    }
}

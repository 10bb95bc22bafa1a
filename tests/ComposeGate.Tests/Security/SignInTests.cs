using System.Net;
using AngleSharp.Html.Parser;
using ComposeGate.Access;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Api;
using ComposeGate.Web.Components.Account.Pages;
using ComposeGate.Web.Features.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ComposeGate.Tests.Security;

/// <summary>
/// Sign-in tells an attacker nothing: one message and one password-hash verification for every failure, return
/// addresses only on this site, no forged sign-out, and a per-address budget of attempts that keeps anyone from
/// guessing quickly or holding an account locked.
/// </summary>
public sealed class SignInTests : IClassFixture<SignInTests.CountingApp>
{
    private readonly CountingApp app;

    public SignInTests(CountingApp app) => this.app = app;

    /// <summary>The app with a counted password hasher and a sign-in budget too large to get in these tests' way.</summary>
    public sealed class CountingApp : ComposeGateFactory
    {
        private int verifications;

        public CountingApp() => Settings["ComposeGate:SignIn:AttemptLimit"] = "1000";

        public int Verifications => Volatile.Read(ref verifications);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddScoped<IPasswordHasher<ApplicationUser>>(provider =>
                new CountingPasswordHasher(new PasswordHasher<ApplicationUser>(provider.GetRequiredService<IOptions<PasswordHasherOptions>>()),
                    () => Interlocked.Increment(ref verifications))));
        }

        public HttpClient NewBrowser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        public async Task CreateUserAsync(string name, bool disabled = false)
        {
            var users = Services.GetRequiredService<UserAdministration>();
            var user = Assert.IsType<Outcome<UserSummary>.Ok>(await users.CreateAsync(Principals.Admin, new(name, Password(name), [Roles.Viewer]))).Value;
            if (disabled)
            {
                Assert.IsType<Outcome<UserSummary>.Ok>(await users.SetDisabledAsync(Principals.Admin, user.Id, disabled: true));
            }
        }

        public static string Password(string user) => $"{user}-Pass-2026";
    }

    /// <summary>Identity's own hasher, counting the verifications: the slow, deliberate part of a sign-in.</summary>
    private sealed class CountingPasswordHasher(PasswordHasher<ApplicationUser> inner, Action counted) : IPasswordHasher<ApplicationUser>
    {
        public string HashPassword(ApplicationUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            counted();
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task SignIn_UnknownWrongDisabledOrLocked_AnswersTheSameMessage()
    {
        await app.CreateUserAsync("wendy");
        await app.CreateUserAsync("dora", disabled: true);
        await LockOutAsync("lena");
        using var browser = app.NewBrowser();

        var unknown = await MessageOfAsync(await CookieSignInTests.SignInAsync(browser, "nobody-at-all", "Some-Pass-2026"));
        var wrong = await MessageOfAsync(await CookieSignInTests.SignInAsync(browser, "wendy", "not-her-password"));
        var disabled = await MessageOfAsync(await CookieSignInTests.SignInAsync(browser, "dora", CountingApp.Password("dora")));
        var locked = await MessageOfAsync(await CookieSignInTests.SignInAsync(browser, "lena", CountingApp.Password("lena")));

        Assert.Contains(Login.FailureMessage, wrong);
        Assert.Equal(wrong, unknown);
        Assert.Equal(wrong, disabled);
        Assert.Equal(wrong, locked);
    }

    [Fact]
    public async Task SignIn_UnknownDisabledOrLocked_VerifiesAPasswordHashLikeAWrongPassword()
    {
        await app.CreateUserAsync("walt");
        await app.CreateUserAsync("dirk", disabled: true);
        await LockOutAsync("lars");

        var wrong = await VerificationsOfAsync("walt", "not-his-password");
        var unknown = await VerificationsOfAsync("nobody-either", "Some-Pass-2026");
        var disabled = await VerificationsOfAsync("dirk", CountingApp.Password("dirk"));
        var locked = await VerificationsOfAsync("lars", CountingApp.Password("lars"));

        Assert.Equal(1, wrong);
        Assert.Equal(wrong, unknown);
        Assert.Equal(wrong, disabled);
        Assert.Equal(wrong, locked);
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("http://evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("http://[")]
    [InlineData("streams")]
    public async Task SignIn_ReturnUrlOffSiteOrMalformed_GoesToTheDashboard(string returnUrl)
    {
        using var browser = app.NewBrowser();

        var response = await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword,
            $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var target = new Uri(new Uri("http://localhost"), response.Headers.Location!);
        Assert.Equal("http://localhost/", target.ToString());
    }

    [Fact]
    public async Task SignIn_ReturnUrlLocalPath_IsFollowed()
    {
        using var browser = app.NewBrowser();

        var response = await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword,
            $"/Account/Login?ReturnUrl={Uri.EscapeDataString("/admin/tokens?revoked=true")}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin/tokens?revoked=true", new Uri(new Uri("http://localhost"), response.Headers.Location!).PathAndQuery);
    }

    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_Is400AndStaysSignedIn()
    {
        using var browser = await SignedInAdminAsync();

        var missing = await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["ReturnUrl"] = "" }));
        var forged = await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = "CfDJ8-forged",
            ["ReturnUrl"] = "",
        }));

        await Problem.ReadAsync(missing, HttpStatusCode.BadRequest);
        await Problem.ReadAsync(forged, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Logout_WithThePagesForm_SignsOutAndStaysOnSite()
    {
        using var browser = await SignedInAdminAsync();
        var page = new HtmlParser().ParseDocument(await browser.GetStringAsync("/Account/Manage"));
        var fields = page.QuerySelectorAll("form[action='Account/Logout'] input[type=hidden]")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        Assert.Contains("__RequestVerificationToken", fields.Keys);
        fields["ReturnUrl"] = "//evil.example";

        var response = await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.ToString());
        await Problem.ReadAsync(await browser.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignIn_BeyondTheBudget_Is429WithRetryAfterAndAPage_WhileTheFormStillLoads()
    {
        using var limited = new ComposeGateFactory();
        limited.Settings["ComposeGate:SignIn:AttemptLimit"] = "3";
        using var browser = limited.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Equal(HttpStatusCode.OK, (await CookieSignInTests.SignInAsync(browser, "admin", "guess-" + attempt)).StatusCode);
        }

        var refused = await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { } wait && wait > TimeSpan.Zero && wait <= TimeSpan.FromMinutes(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many sign-in attempts", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Account/Login")).StatusCode);
        await Problem.ReadAsync(await browser.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task SignIn_OverRealHttp_EachClientAddressHasItsOwnBudgetOfTen()
    {
        using var server = new ComposeGateFactory();
        server.UseKestrel(0);
        server.StartServer();
        using var attacker = LoopbackBrowser.Create(server.ClientOptions.BaseAddress, IPAddress.Parse("127.0.0.2"));
        using var colleague = LoopbackBrowser.Create(server.ClientOptions.BaseAddress, IPAddress.Parse("127.0.0.3"));
        // Guessing at an account that does not exist, so the lockout of a real one plays no part.
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            Assert.Equal(HttpStatusCode.OK, (await CookieSignInTests.SignInAsync(attacker, "root", "guess-" + attempt)).StatusCode);
        }

        var refused = await CookieSignInTests.SignInAsync(attacker, "admin", ComposeGateFactory.AdminPassword);
        var welcomed = await CookieSignInTests.SignInAsync(colleague, "admin", ComposeGateFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, welcomed.StatusCode);
    }

    [Fact]
    public void Startup_BadSignInSettings_FailsNamingEveryError()
    {
        using var misconfigured = new ComposeGateFactory();
        misconfigured.Settings["ComposeGate:SignIn:AttemptLimit"] = "0";
        misconfigured.Settings["ComposeGate:SignIn:AttemptRefill"] = "00:00:10";

        var failure = Assert.ThrowsAny<Exception>(() => misconfigured.CreateClient());

        Assert.Contains("ComposeGate:SignIn:AttemptLimit must be at least 1.", failure.ToString());
        Assert.Contains("ComposeGate:SignIn:AttemptRefill must be longer than 00:00:30", failure.ToString());
    }

    /// <summary>Locks an account as ten wrong passwords would (Identity's own lockout, without the ten slow attempts).</summary>
    private async Task LockOutAsync(string name)
    {
        await app.CreateUserAsync(name);
        await using var scope = app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await manager.FindByNameAsync(name);
        Assert.True((await manager.SetLockoutEndDateAsync(user!, DateTimeOffset.UtcNow.AddMinutes(5))).Succeeded);
        Assert.True(await manager.IsLockedOutAsync(user!));
    }

    private async Task<int> VerificationsOfAsync(string user, string password)
    {
        using var browser = app.NewBrowser();
        var before = app.Verifications;
        await CookieSignInTests.SignInAsync(browser, user, password);
        return app.Verifications - before;
    }

    private async Task<HttpClient> SignedInAdminAsync()
    {
        var browser = app.NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword)).StatusCode);
        return browser;
    }

    /// <summary>The failure message as the page shows it, markup and all.</summary>
    private static async Task<string> MessageOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return page.QuerySelector(".cg-status")?.OuterHtml ?? throw new Xunit.Sdk.XunitException("The page shows no message.");
    }
}

using System.Net;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Components.Account.Pages;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ComposeGate.Tests.Access;

/// <summary>People sign in with the Identity form; the same cookie then works on the JSON API.</summary>
public sealed class CookieSignInTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public CookieSignInTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task SignIn_AsBootstrapAdmin_CookieAuthorisesTheApi()
    {
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        var me = await browser.GetStringAsync("/api/v1/me");
        Assert.Contains("\"name\":\"admin\"", me);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/streams")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongPassword_StaysOnTheFormWithAnError()
    {
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SignInAsync(browser, "admin", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Login.FailureMessage, await response.Content.ReadAsStringAsync());
        await Problem.ReadAsync(await browser.GetAsync("/api/v1/streams"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignIn_DisabledAccount_IsRefused()
    {
        var users = app.Services.GetService(typeof(ComposeGate.Web.Features.Users.UserAdministration)) as ComposeGate.Web.Features.Users.UserAdministration;
        var created = await users!.CreateAsync(Principals.Admin, new("bob", "Bob-Pass-2026", ["Viewer"]));
        var bob = Assert.IsType<ComposeGate.Web.Api.Outcome<ComposeGate.Web.Features.Users.UserSummary>.Ok>(created).Value;
        await users.SetDisabledAsync(Principals.Admin, bob.Id, disabled: true);
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        var response = await SignInAsync(browser, "bob", "Bob-Pass-2026");

        // The same answer as a wrong password: telling them apart would tell an attacker which accounts exist.
        Assert.Contains(Login.FailureMessage, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Registration_IsClosed()
    {
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await browser.GetAsync("/Account/Register");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password, string page = "/Account/Login") =>
        browser.SubmitFormAsync(page, "login", new Dictionary<string, string> { ["Input.UserName"] = user, ["Input.Password"] = password });
}

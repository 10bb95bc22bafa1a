using System.Net;
using AngleSharp.Html.Parser;
using ComposeGate.Tests.Infrastructure;
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
        Assert.Contains("Wrong user name or password.", await response.Content.ReadAsStringAsync());
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

        Assert.Contains("This account is disabled.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Registration_IsClosed()
    {
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await browser.GetAsync("/Account/Register");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password)
    {
        var page = await browser.GetStringAsync("/Account/Login");
        var form = new HtmlParser().ParseDocument(page).QuerySelector("form[method=post]")!;
        var fields = form.QuerySelectorAll("input[type=hidden]")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        fields["Input.UserName"] = user;
        fields["Input.Password"] = password;
        return await browser.PostAsync("/Account/Login", new FormUrlEncodedContent(fields));
    }
}

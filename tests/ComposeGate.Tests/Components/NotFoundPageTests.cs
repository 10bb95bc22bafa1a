using System.Net;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ComposeGate.Tests.Components;

/// <summary>An address with nothing behind it answers 404 with the page that says so, not an empty body the browser shows as its own error.</summary>
public sealed class NotFoundPageTests(ComposeGateFactory app) : IClassFixture<ComposeGateFactory>
{
    [Fact]
    public async Task Get_UnknownPage_Is404WithTheNotFoundPage()
    {
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword);

        var response = await browser.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is nothing at this address.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

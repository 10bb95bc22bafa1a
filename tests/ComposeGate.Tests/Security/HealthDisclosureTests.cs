using System.Net;
using System.Text.Json;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Users;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Security;

/// <summary>
/// <c>/healthz</c> with a message-bus link to a closed port (degraded, with an endpoint and an error to give away):
/// anyone sees the status of each check, only signed-in people and tokens see endpoints, errors and descriptions.
/// </summary>
public sealed class HealthDisclosureTests(HealthDisclosureTests.DegradedApp app) : IClassFixture<HealthDisclosureTests.DegradedApp>
{
    private const string BrokerPassword = "bus-password-2026";
    private readonly int closedPort = app.ClosedPort;

    /// <summary>The app publishing its events to a broker that is not there.</summary>
    public sealed class DegradedApp : ComposeGateFactory
    {
        public int ClosedPort { get; } = AppProcess.FreePort();

        public DegradedApp() => Settings["ComposeGate:Bus:Publish:Url"] = $"amqp://composegate:{BrokerPassword}@127.0.0.1:{ClosedPort}/";
    }

    [Fact]
    public async Task Healthz_Anonymous_SeesStatusAndCheckNamesOnly()
    {
        await WaitForTheFailedLinkAsync();
        using var anonymous = app.CreateClient(bearer: null);

        var response = await anonymous.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal(["status", "checks"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("degraded", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal(["bus", "database"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.All(checks.EnumerateObject(), c => Assert.Equal(["status"], c.Value.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("degraded", checks.GetProperty("bus").GetProperty("status").GetString());
        Assert.DoesNotContain(closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), body);
        Assert.DoesNotContain("127.0.0.1", body);
    }

    [Fact]
    public async Task Healthz_ViewerToken_SeesEndpointsAndErrors()
    {
        await WaitForTheFailedLinkAsync();
        using var viewer = app.CreateClient(await app.MintTokenAsync("health-viewer", "Viewer"));

        var link = BusLink(await viewer.GetStringAsync("/healthz"));

        Assert.Contains($"127.0.0.1:{closedPort}", link.GetProperty("endpoint").GetString());
        Assert.False(string.IsNullOrEmpty(link.GetProperty("lastError").GetString()));
    }

    [Fact]
    public async Task Healthz_SignedInViewer_SeesEndpointsAndErrors()
    {
        await WaitForTheFailedLinkAsync();
        await app.Services.GetRequiredService<UserAdministration>().CreateAsync(Principals.Admin, new("vera", "Vera-Pass-2026", ["Viewer"]));
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, "vera", "Vera-Pass-2026")).StatusCode);

        var body = await browser.GetStringAsync("/healthz");

        Assert.Contains($"127.0.0.1:{closedPort}", BusLink(body).GetProperty("endpoint").GetString());
        Assert.DoesNotContain(BrokerPassword, body);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.GetProperty("checks").GetProperty("database").TryGetProperty("description", out _));
    }

    private static JsonElement BusLink(string body)
    {
        using var json = JsonDocument.Parse(body);
        var bus = json.RootElement.GetProperty("checks").GetProperty("bus");
        Assert.Equal("degraded", bus.GetProperty("status").GetString());
        return bus.GetProperty("details").EnumerateObject().Single().Value.Clone();
    }

    /// <summary>Waits (as the admin) until the publish link has tried the closed port and recorded why it failed.</summary>
    private async Task WaitForTheFailedLinkAsync()
    {
        using var admin = app.CreateAdminClient();
        for (var i = 0; i < 300; i++)
        {
            using var json = JsonDocument.Parse(await admin.GetStringAsync("/healthz"));
            if (json.RootElement.GetProperty("checks").GetProperty("bus").TryGetProperty("details", out var details)
                && details.EnumerateObject().Any(l => l.Value.GetProperty("lastError").ValueKind == JsonValueKind.String))
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail("The bus link never recorded its failure.");
    }
}

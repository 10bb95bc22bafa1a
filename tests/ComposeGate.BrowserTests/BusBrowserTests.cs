using System.Net.Http.Json;
using System.Text;
using ComposeGate.Candidates.Demo;
using ComposeGate.Web.Bus;
using ComposeGate.Web.Features.Users;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.BrowserTests;

/// <summary>Announcements that went wrong are on the Jobs page with their reason and message; a release engineer tries a failed one again.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BusBrowserTests(BrowserFixture app)
{
    private const string Stream = "bus-ui";
    private const string Compose = "CentOS-Stream-10-20261202.0";

    [Fact]
    public async Task JobsPage_ShowsMalformedAndFailedAnnouncements_AndTryAgainIngestsTheFixedCompose()
    {
        using var admin = app.CreateApiClient();
        (await admin.PostAsJsonAsync("/api/v1/streams", new { name = Stream, kind = "compose" })).EnsureSuccessStatusCode();
        await app.Services.GetRequiredService<UserAdministration>().CreateAsync(
            new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, "admin"), new(System.Security.Claims.ClaimTypes.Role, "Admin")], "test")),
            new("vic", "Vic-Viewer-2026", ["Viewer"]));
        var mirror = Path.Combine(Path.GetTempPath(), "composegate-bus-ui", Guid.NewGuid().ToString("N"));
        var handler = app.Services.GetRequiredService<AnnouncementHandler>();
        var settings = new AmqpSourceSettings { Url = "amqp://127.0.0.1/", Queue = "q", ComposeIdPattern = "^CentOS-Stream-10-", RetrySeconds = 0 };
        const string topic = "org.centos.prod.pungi.compose.status.change";
        await handler.HandleAsync(Stream, settings, new BusDelivery("ui-broken", topic, Encoding.UTF8.GetBytes("{\"compose_id\": oops"), false), CancellationToken.None);
        var body = $$"""{"compose_id": "{{Compose}}", "status": "FINISHED", "location": "{{mirror}}/{{Compose}}/compose"}""";
        await handler.HandleAsync(Stream, settings, new BusDelivery("ui-missing", topic, Encoding.UTF8.GetBytes(body), false), CancellationToken.None);

        var viewer = await app.SignInAsync("vic", "Vic-Viewer-2026");
        await viewer.GotoAsync("/jobs");
        await BrowserFixture.WaitInteractiveAsync(viewer);
        var broken = viewer.Locator("[data-testid=bus-announcements] tr[data-outcome=malformed]");
        await broken.Locator("text=not JSON").WaitForAsync();
        Assert.Contains("{\"compose_id\": oops", await broken.Locator("pre").TextContentAsync());
        await viewer.Locator("[data-testid=bus-announcements] tr[data-outcome=failed]").WaitForAsync();
        Assert.Equal(0, await viewer.Locator("[data-testid=bus-announcements] >> text=Try again").CountAsync());

        var engineer = await app.SignInAsync();
        await engineer.GotoAsync("/jobs");
        await BrowserFixture.WaitInteractiveAsync(engineer);
        var failed = engineer.Locator("[data-testid=bus-announcements] tr[data-outcome=failed]");
        await failed.Locator("span.cg-mono", new() { HasText = Compose }).WaitForAsync();
        SyntheticCompose.Generate(new() { SourcePackageCount = 20, Date = "20261202" }).WriteTo(mirror);
        await failed.Locator("text=Try again").ClickAsync();

        var ingested = engineer.Locator("[data-testid=bus-announcements] tr[data-outcome=ingested]");
        await ingested.Locator($"a[href='candidates/{Compose}']").WaitForAsync();
        var candidate = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/candidates/{Compose}");
        Assert.Equal(AnnouncementHandler.Actor, candidate.GetProperty("createdBy").GetString());
    }
}

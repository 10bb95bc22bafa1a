using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Bus;
using static ComposeGate.Tests.Bus.BusTestKit;

namespace ComposeGate.Tests.Bus;

/// <summary>Bursts of announcements on a real RabbitMQ: none dropped, none doubled, also when the broker goes away mid-burst.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BurstTests(RabbitMqBroker broker) : IDisposable
{
    private const string Stream = "rawhide";
    private readonly string composes = Path.Combine(Path.GetTempPath(), "composegate-burst", Guid.NewGuid().ToString("N"));
    private readonly string queue = NewQueue();

    public void Dispose()
    {
        if (Directory.Exists(composes))
        {
            Directory.Delete(composes, recursive: true);
        }
    }

    // The announced composes are local folders: the app reads them only under an allowed root.
    private Task<ComposeGateFactory> StartAsync() =>
        broker.StartAppAsync(Stream, queue, app => app.Settings["ComposeGate:Sources:AllowedRoots:0"] = composes);

    [Fact]
    public async Task ThousandAnnouncementsInABurst_AllArrive_NoneDroppedNoneDoubled()
    {
        var burst = new AnnouncementBurst(composes, 1000, "1");
        using var app = await StartAsync();
        using var admin = app.CreateAdminClient();

        await broker.PublishManyAsync(Exchange, burst.Messages);

        await WaitUntilAsync(async () => await admin.HandledAsync() == 1000, "all 1,000 announcements handled", seconds: 600);
        await admin.AssertHandledExactlyOnceAsync(Stream, burst);
        Assert.Equal(200, burst.Finished.Count);
        var outcomes = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/bus")).GetProperty("outcomes");
        Assert.Equal(200, outcomes.GetProperty("ingested").GetInt32());
        Assert.Equal(800, outcomes.GetProperty("ignored").GetInt32());
        await WaitUntilAsync(async () => await broker.MessageCountAsync(queue) == 0, "every message acknowledged");
    }

    [Fact]
    public async Task BrokerStopsAndStartsMidBurst_TheLinkReconnectsAndNothingIsLostOrDoubled()
    {
        var burst = new AnnouncementBurst(composes, 3000, "2");
        using var app = await StartAsync();
        using var admin = app.CreateAdminClient();
        await broker.PublishManyAsync(Exchange, burst.Messages);
        await WaitUntilAsync(async () => await admin.HandledAsync() >= 30, "the burst to be under way");

        await broker.StopAsync();
        try
        {
            await WaitUntilAsync(async () =>
            {
                using var health = await admin.GetFromJsonAsync<JsonDocument>("/healthz");
                var bus = health!.RootElement.GetProperty("checks").GetProperty("bus");
                return bus.GetProperty("status").GetString() == "degraded"
                    && bus.GetProperty("details").GetProperty(AnnouncementListener.LinkName(Stream)).GetProperty("state").GetString() == "reconnecting";
            }, "/healthz to report the link reconnecting");
            Assert.True(await admin.HandledAsync() < 3000, "the broker stopped before the burst was through");
        }
        finally
        {
            await broker.StartAsync();
        }

        await WaitUntilAsync(async () => await admin.HandledAsync() == 3000, "all 3,000 announcements handled after the broker came back", seconds: 300);
        await admin.AssertHandledExactlyOnceAsync(Stream, burst);
        var link = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/bus")).GetProperty("links").EnumerateArray()
            .Single(l => l.GetProperty("name").GetString() == AnnouncementListener.LinkName(Stream));
        Assert.Equal("connected", link.GetProperty("state").GetString());
        Assert.Contains("connection", link.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ComposeGate.Tests.Bus.BusTestKit;

namespace ComposeGate.Tests.Bus;

/// <summary>Our events on a real RabbitMQ exchange: fedora-messaging's wire format, the outbox's stable ids, decisions only when they change.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PublishTests(RabbitMqBroker broker)
{
    private const string Stream = "rawhide";
    private readonly string exchange = "composegate-events-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string queue = NewQueue();

    /// <summary>An app publishing to this test's exchange, a queue bound to all of it, and the stream.</summary>
    private async Task<ComposeGateFactory> StartAsync(params (string Key, string Value)[] settings)
    {
        await broker.DeclareQueueAsync(queue, exchange, "#");
        var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Bus:Publish:Url"] = broker.Url;
        app.Settings["ComposeGate:Bus:Publish:Exchange"] = exchange;
        foreach (var (key, value) in settings)
        {
            app.Settings[$"ComposeGate:Bus:Publish:{key}"] = value;
        }
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync(Stream);
        return app;
    }

    [Fact]
    public async Task StreamEvents_ArePublishedOnceEachWithTheOutboxIdAndFedoraMessagingHeaders()
    {
        using var app = await StartAsync(("TopicPrefix", "org.example.prod"));
        using var admin = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync($"/api/v1/streams/{Stream}/policy",
            new StringContent("requires:\n  - testcase: t_functional\n", Encoding.UTF8, "text/yaml"))).StatusCode);
        var compose = new TestCompose("Fedora-Rawhide-20261121.n.0", Packages);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/v1/streams/{Stream}/candidates",
            new StringContent(compose.Body(), Encoding.UTF8, "application/json"))).StatusCode);
        var result = new { testcase = "t_functional", outcome = "PASSED" };
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/results", result)).StatusCode);
        // The same outcome again changes nothing, so no decision is announced for it.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/results", result)).StatusCode);
        // Without promotion actions an approved candidate is promoted at once (promote: auto).
        await admin.WaitForStatusAsync(compose.Id, "promoted");

        var messages = await broker.DrainAsync(queue, 4, TimeSpan.FromSeconds(60));
        Assert.Equal(["candidate.created", "decision.changed", "decision.changed", "candidate.promoted"],
            messages.Select(m => m.RoutingKey.Replace("org.example.prod.composegate.", "")));
        // Marked published once the broker confirmed, which may come a moment after the consumer saw the messages.
        await WaitUntilAsync(async () => await app.WithDbAsync(db => db.BusOutbox.AllAsync(m => m.PublishedAt != null)), "the outbox to be marked published");
        var outbox = await app.WithDbAsync(db => db.BusOutbox.OrderBy(m => m.Id).ToListAsync());
        Assert.Equal(outbox.Select(m => m.EventId.ToString()), messages.Select(m => m.Props.MessageId));
        foreach (var (_, body, props) in messages)
        {
            Assert.Equal("application/json", props.ContentType);
            Assert.Equal(RabbitMQ.Client.DeliveryModes.Persistent, props.DeliveryMode);
            Assert.Equal("base.message", Encoding.UTF8.GetString((byte[])props.Headers!["fedora_messaging_schema"]!));
            Assert.Equal(20, props.Headers["fedora_messaging_severity"]);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", Encoding.UTF8.GetString((byte[])props.Headers["sent-at"]!));
            Assert.Equal(Stream, Encoding.UTF8.GetString((byte[])props.Headers["composegate_stream"]!));
            using var json = JsonDocument.Parse(body);
            Assert.Equal(props.MessageId, json.RootElement.GetProperty("id").GetString());
        }
        using var approved = JsonDocument.Parse(messages[2].Body);
        var data = approved.RootElement.GetProperty("data");
        Assert.True(data.GetProperty("satisfied").GetBoolean());
        Assert.False(data.GetProperty("previous").GetProperty("satisfied").GetBoolean());
        Assert.Empty(await broker.DrainAsync(queue, 1, TimeSpan.FromSeconds(1)));

        var bus = await admin.GetFromJsonAsync<JsonElement>("/api/v1/bus");
        Assert.Equal(4, bus.GetProperty("outbox").GetProperty("published").GetInt32());
        Assert.Equal(0, bus.GetProperty("outbox").GetProperty("pending").GetInt32());
        Assert.Equal("connected", bus.GetProperty("links").EnumerateArray().Single().GetProperty("state").GetString());
    }

    [Fact]
    public async Task PublishEventsFilter_LimitsWhatGoesToTheExchange()
    {
        using var app = await StartAsync(("Events:0", "candidate.created"));
        using var admin = app.CreateAdminClient();

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/v1/streams/{Stream}/candidates",
            new StringContent(new TestCompose("Fedora-Rawhide-20261121.n.1", Packages).Body(), Encoding.UTF8, "application/json"))).StatusCode);

        var messages = await broker.DrainAsync(queue, 2, TimeSpan.FromSeconds(5));
        Assert.Equal(["composegate.candidate.created"], messages.Select(m => m.RoutingKey));
    }
}

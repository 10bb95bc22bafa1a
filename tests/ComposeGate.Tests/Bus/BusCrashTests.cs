using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using static ComposeGate.Tests.Bus.BusTestKit;

namespace ComposeGate.Tests.Bus;

/// <summary>
/// The app as its own process, killed with SIGKILL while it holds unacknowledged announcements or unpublished
/// events: after the restart every announcement is handled exactly once and every event reaches the broker.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BusCrashTests(RabbitMqBroker broker) : IDisposable
{
    private const string Stream = "rawhide";
    private readonly string work = Path.Combine(Path.GetTempPath(), "composegate-bus-crash", Guid.NewGuid().ToString("N"));
    private readonly string queue = NewQueue();

    private string Data => Path.Combine(work, "data");
    private string Composes => Path.Combine(work, "composes");

    public void Dispose()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task CrashBetweenReceiveAndCommit_TheRedeliveryMakesExactlyOneCandidate()
    {
        var id = "Fedora-Rawhide-20261121.n.0";
        new TestCompose(id, Packages).WriteTo(Composes);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = 0;
        // The mirror holds the app's requests until released: the app has the message but has not committed anything.
        await using var mirror = await StaticFileServer.StartAsync(Composes, async _ =>
        {
            Interlocked.Increment(ref requests);
            await release.Task;
        });
        await broker.BindAsync(queue);
        var settings = AmqpSource(Stream, broker.Url, queue);
        var port = AppProcess.FreePort();
        await broker.PublishAsync(Exchange, Topic, Pungi(id, "FINISHED", new Uri(mirror.Address, $"{id}/compose").ToString()), messageId: "held");

        using (var first = await AppProcess.StartAsync(Data, port, settings))
        {
            using var admin = first.CreateAdminClient();
            await WaitUntilAsync(async () => Volatile.Read(ref requests) > 0
                && (await admin.AnnouncementsAsync(Stream)).Any(a => a.GetProperty("outcome").GetString() == "processing"), "the app to be fetching the compose");
            Assert.Empty(await admin.CandidateIdsAsync(Stream));
            first.Kill();
        }
        Assert.Equal(1u, await broker.MessageCountAsync(queue));
        release.SetResult();

        using var second = await AppProcess.StartAsync(Data, port, settings);
        using var client = second.CreateAdminClient();
        await WaitUntilAsync(async () => (await client.AnnouncementsAsync(Stream)).Single().GetProperty("outcome").GetString() != "processing",
            "the redelivered announcement to be handled");
        var row = (await client.AnnouncementsAsync(Stream)).Single();
        Assert.Equal("ingested", row.GetProperty("outcome").GetString());
        Assert.Equal(2, row.GetProperty("deliveries").GetInt32());
        Assert.Equal([id], await client.CandidateIdsAsync(Stream));
        var events = await client.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{id}/events");
        Assert.Single(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == "candidate.created");
        await WaitUntilAsync(async () => await broker.MessageCountAsync(queue) == 0, "the message to be acknowledged");
    }

    [Fact]
    public async Task AppKilledMidBurst_NoAnnouncementIsLostOrDoubled()
    {
        var burst = new AnnouncementBurst(Composes, 3000, "3");
        await broker.BindAsync(queue);
        var settings = AmqpSource(Stream, broker.Url, queue);
        // 600 merge requests would only add git work to wait for.
        settings["ComposeGate:Forge:Enabled"] = "false";
        // The announced composes are local folders: the app reads them only under an allowed root.
        settings["ComposeGate:Sources:AllowedRoots:0"] = Composes;
        var port = AppProcess.FreePort();
        await broker.PublishManyAsync(Exchange, burst.Messages);

        using (var first = await AppProcess.StartAsync(Data, port, settings))
        {
            using var admin = first.CreateAdminClient();
            await WaitUntilAsync(async () => await admin.HandledAsync() >= 100, "the burst to be under way");
            first.Kill();
        }
        Assert.True(await broker.MessageCountAsync(queue) > 0, "the app was killed before the burst was through");

        using var second = await AppProcess.StartAsync(Data, port, settings);
        using var client = second.CreateAdminClient();
        await WaitUntilAsync(async () => await client.HandledAsync() == 3000, "all 3,000 announcements handled after the restart", seconds: 300);
        await client.AssertHandledExactlyOnceAsync(Stream, burst);
        await WaitUntilAsync(async () => await broker.MessageCountAsync(queue) == 0, "every message acknowledged");
    }

    [Fact]
    public async Task EventsRecordedWhileTheBrokerIsDown_ArePublishedAfterACrashAndRestart()
    {
        var exchange = "composegate-events-" + Guid.NewGuid().ToString("N")[..8];
        await broker.DeclareQueueAsync(queue, exchange, "org.example.test.composegate.#");
        var settings = new Dictionary<string, string>
        {
            ["ComposeGate:Bus:Publish:Url"] = broker.Url,
            ["ComposeGate:Bus:Publish:Exchange"] = exchange,
            ["ComposeGate:Bus:Publish:TopicPrefix"] = "org.example.test",
        };
        var compose = new TestCompose("Fedora-Rawhide-20261121.n.9", Packages);
        var port = AppProcess.FreePort();

        await broker.StopAsync();
        try
        {
            using var first = await AppProcess.StartAsync(Data, port, settings);
            using var admin = first.CreateAdminClient();
            await admin.CreateStreamAsync(Stream);
            var created = await admin.PostAsync($"/api/v1/streams/{Stream}/candidates", new StringContent(compose.Body(), System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
            var outbox = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/bus")).GetProperty("outbox");
            Assert.Equal(2, outbox.GetProperty("pending").GetInt32());
            first.Kill();
        }
        finally
        {
            await broker.StartAsync();
        }

        using var second = await AppProcess.StartAsync(Data, port, settings);
        var messages = await broker.DrainAsync(queue, 2, TimeSpan.FromSeconds(60));
        Assert.Equal(["org.example.test.composegate.candidate.created", "org.example.test.composegate.decision.changed"], messages.Select(m => m.RoutingKey));
        foreach (var (_, body, props) in messages)
        {
            using var json = JsonDocument.Parse(body);
            Assert.Equal(props.MessageId, json.RootElement.GetProperty("id").GetString());
            Assert.Equal(compose.Id, json.RootElement.GetProperty("candidate").GetString());
            Assert.Equal(Stream, json.RootElement.GetProperty("stream").GetString());
        }
        using var client = second.CreateAdminClient();
        await WaitUntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>("/api/v1/bus")).GetProperty("outbox").GetProperty("pending").GetInt32() == 0,
            "the outbox to be marked published");
        Assert.Empty(await broker.DrainAsync(queue, 1, TimeSpan.FromSeconds(1)));
    }
}

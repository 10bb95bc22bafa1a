using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Bus;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Bus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ComposeGate.Tests.Bus.BusTestKit;

namespace ComposeGate.Tests.Bus;

/// <summary>pungi announcements heard on a real RabbitMQ become candidates; everything else is recorded and acknowledged.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class AnnouncementTests(RabbitMqBroker broker) : IDisposable
{
    private const string Stream = "rawhide";
    private readonly string composes = Path.Combine(Path.GetTempPath(), "composegate-announced", Guid.NewGuid().ToString("N"));
    private readonly string queue = NewQueue();

    public void Dispose()
    {
        if (Directory.Exists(composes))
        {
            Directory.Delete(composes, recursive: true);
        }
    }

    // The announced composes are local folders: the app reads them only under an allowed root.
    private Task<ComposeGateFactory> StartAsync(Action<ComposeGateFactory>? configure = null) => broker.StartAppAsync(Stream, queue, app =>
    {
        app.Settings["ComposeGate:Sources:AllowedRoots:0"] = composes;
        configure?.Invoke(app);
    });

    private string WriteCompose(string id, string status = "FINISHED") => new TestCompose(id, Packages).WriteTo(composes, status);

    private static async Task<JsonElement> WaitForAnnouncementAsync(HttpClient client, Func<JsonElement, bool> which, string what)
    {
        JsonElement found = default;
        await WaitUntilAsync(async () =>
        {
            var match = (await client.AnnouncementsAsync(Stream)).Where(which).ToList();
            found = match.FirstOrDefault();
            return match.Count > 0 && found.GetProperty("outcome").GetString() != "processing";
        }, what);
        return found;
    }

    [Fact]
    public async Task FinishedAnnouncement_OfALocalCompose_BecomesACandidateAndIsAcknowledged()
    {
        var id = "Fedora-Rawhide-20261121.n.0";
        var topdir = WriteCompose(id);
        using var app = await StartAsync();
        using var admin = app.CreateAdminClient();

        await broker.PublishAsync(Exchange, Topic, Pungi(id, "FINISHED", topdir + "/compose"), messageId: "msg-1");

        var row = await WaitForAnnouncementAsync(admin, a => a.GetProperty("messageId").GetString() == "msg-1", "the announcement to be handled");
        Assert.Equal("ingested", row.GetProperty("outcome").GetString());
        Assert.Equal(id, row.GetProperty("candidate").GetString());
        Assert.Equal(1, row.GetProperty("deliveries").GetInt32());
        var candidate = await admin.WaitForStatusAsync(id, "gating", "approved");
        Assert.Equal(AnnouncementHandler.Actor, candidate.GetProperty("createdBy").GetString());
        Assert.Equal(topdir, candidate.GetProperty("source").GetString());
        await WaitUntilAsync(async () => await broker.MessageCountAsync(queue) == 0, "the queue to be empty (acknowledged)");

        using var health = await admin.GetFromJsonAsync<JsonDocument>("/healthz");
        var bus = health!.RootElement.GetProperty("checks").GetProperty("bus");
        Assert.Equal("healthy", bus.GetProperty("status").GetString());
        var link = bus.GetProperty("details").GetProperty(AnnouncementListener.LinkName(Stream));
        Assert.Equal("connected", link.GetProperty("state").GetString());
        Assert.DoesNotContain("guest:guest", link.GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task AnnouncementsNotForThisStream_AreRecordedWithTheReasonAndAcknowledged()
    {
        var id = "Fedora-Rawhide-20261121.n.1";
        WriteCompose(id, "STARTED");
        var otherQueueBinding = "org.fedoraproject.prod.pungi.compose.#";
        using var app = await StartAsync(a => a.Settings[$"ComposeGate:Streams:{Stream}:Source:Amqp:Topic"] = otherQueueBinding);
        await broker.BindAsync(queue, otherQueueBinding);
        using var admin = app.CreateAdminClient();

        await broker.PublishAsync(Exchange, Topic, Pungi(id, "STARTED", Path.Combine(composes, id, "compose")), messageId: "started");
        await broker.PublishAsync(Exchange, Topic, Pungi("Fedora-ELN-20261121.n.0", "FINISHED", "/srv/eln/compose"), messageId: "other-stream");
        await broker.PublishAsync(Exchange, "org.fedoraproject.prod.pungi.compose.phase.start", """{"compose_id": "Fedora-Rawhide-20261121.n.1", "phase_name": "gather"}""", messageId: "phase");
        await broker.PublishAsync(Exchange, Topic, "{not json", messageId: "broken");
        await broker.PublishAsync(Exchange, Topic, """{"compose_id": "Fedora-Rawhide-20261121.n.1", "status": "FINISHED"}""", messageId: "no-location");

        await WaitUntilAsync(async () => (await admin.AnnouncementsAsync(Stream)).Count(a => a.GetProperty("outcome").GetString() != "processing") == 5, "five handled announcements");
        var rows = (await admin.AnnouncementsAsync(Stream)).ToDictionary(a => a.GetProperty("messageId").GetString()!);
        Assert.Equal("ignored", rows["started"].GetProperty("outcome").GetString());
        Assert.Contains("Status STARTED", rows["started"].GetProperty("reason").GetString());
        Assert.Equal("ignored", rows["other-stream"].GetProperty("outcome").GetString());
        Assert.Contains("not a compose of this stream", rows["other-stream"].GetProperty("reason").GetString());
        Assert.Equal("malformed", rows["phase"].GetProperty("outcome").GetString());
        Assert.Contains("$.status", rows["phase"].GetProperty("reason").GetString());
        Assert.Equal("malformed", rows["broken"].GetProperty("outcome").GetString());
        Assert.Contains("not JSON", rows["broken"].GetProperty("reason").GetString());
        Assert.Equal("{not json", rows["broken"].GetProperty("body").GetString());
        Assert.Equal("malformed", rows["no-location"].GetProperty("outcome").GetString());
        Assert.All(rows.Values, r => Assert.Equal(1, r.GetProperty("deliveries").GetInt32()));

        var malformed = await admin.AnnouncementsAsync(Stream, "malformed");
        Assert.Equal(["broken", "no-location", "phase"], malformed.Select(a => a.GetProperty("messageId").GetString()).Order());
        Assert.Equal(0, await app.WithDbAsync(db => db.Candidates.CountAsync()));
        await WaitUntilAsync(async () => await broker.MessageCountAsync(queue) == 0, "every message acknowledged");
    }

    [Fact]
    public async Task SameMessageTwice_AndAnotherAnnouncementOfTheSameCompose_MakeOneCandidate()
    {
        var id = "Fedora-Rawhide-20261121.n.2";
        var topdir = WriteCompose(id);
        using var app = await StartAsync();
        using var admin = app.CreateAdminClient();
        var body = Pungi(id, "FINISHED", topdir + "/compose");

        await broker.PublishAsync(Exchange, Topic, body, messageId: "first");
        await broker.PublishAsync(Exchange, Topic, body, messageId: "first");
        await broker.PublishAsync(Exchange, Topic, Pungi(id, "FINISHED_INCOMPLETE", topdir + "/compose"), messageId: "second");

        await WaitUntilAsync(async () => (await admin.AnnouncementsAsync(Stream)).Count(a => a.GetProperty("outcome").GetString() != "processing") == 2
            && (await admin.AnnouncementsAsync(Stream)).Sum(a => a.GetProperty("deliveries").GetInt32()) == 3, "three deliveries handled");
        var rows = (await admin.AnnouncementsAsync(Stream)).ToDictionary(a => a.GetProperty("messageId").GetString()!);
        Assert.Equal("ingested", rows["first"].GetProperty("outcome").GetString());
        Assert.Equal(2, rows["first"].GetProperty("deliveries").GetInt32());
        Assert.Equal("duplicate", rows["second"].GetProperty("outcome").GetString());
        Assert.Equal(id, rows["second"].GetProperty("candidate").GetString());
        Assert.Equal(1, await app.WithDbAsync(db => db.Candidates.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == "candidate.created")));
    }

    [Fact]
    public async Task ComposeNotFinishedOnTheMirrorYet_IsTriedAgainUntilItIs()
    {
        var id = "Fedora-Rawhide-20261121.n.3";
        var topdir = WriteCompose(id, "STARTED");
        using var app = await StartAsync();
        using var admin = app.CreateAdminClient();

        await broker.PublishAsync(Exchange, Topic, Pungi(id, "FINISHED", topdir + "/compose"), messageId: "early");
        await WaitUntilAsync(async () => (await admin.AnnouncementsAsync(Stream)).Any(a => a.GetProperty("reason").GetString()?.StartsWith("Waiting") == true),
            "the announcement to wait for the mirror");
        File.WriteAllText(Path.Combine(topdir, "STATUS"), "FINISHED\n");

        var row = await WaitForAnnouncementAsync(admin, a => a.GetProperty("messageId").GetString() == "early", "the announcement to be ingested");
        Assert.Equal("ingested", row.GetProperty("outcome").GetString());
        Assert.True(row.GetProperty("attempts").GetInt32() >= 2);
        Assert.Equal(1, row.GetProperty("deliveries").GetInt32());
    }

    [Fact]
    public async Task ComposeThatNeverAppears_IsRecordedAsFailed_AndAReleaseEngineerCanTryItAgain()
    {
        var id = "Fedora-Rawhide-20261121.n.4";
        using var app = await StartAsync(a => a.Settings[$"ComposeGate:Streams:{Stream}:Source:Amqp:RetrySeconds"] = "1");
        using var admin = app.CreateAdminClient();
        using var viewer = app.CreateClient(await app.MintTokenAsync("viewer", "Viewer"));

        await broker.PublishAsync(Exchange, Topic, Pungi(id, "FINISHED", Path.Combine(composes, id, "compose")), messageId: "missing");
        var row = await WaitForAnnouncementAsync(admin, a => a.GetProperty("messageId").GetString() == "missing", "the announcement to fail");
        Assert.Equal("failed", row.GetProperty("outcome").GetString());
        Assert.Contains("Not readable", row.GetProperty("reason").GetString());
        await WaitUntilAsync(async () => await broker.MessageCountAsync(queue) == 0, "the failed message to be acknowledged");
        var retry = $"/api/v1/streams/{Stream}/announcements/{row.GetProperty("id").GetInt64()}/retry";

        var refused = await viewer.PostAsync(retry, null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        WriteCompose(id);
        var retried = await admin.PostAsync(retry, null);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var after = await retried.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ingested", after.GetProperty("outcome").GetString());
        Assert.Equal(id, after.GetProperty("candidate").GetString());

        var again = await admin.PostAsync(retry, null);
        Assert.Contains("only failed announcements", (await Problem.ReadAsync(again, HttpStatusCode.Conflict)).Detail);
    }

    [Fact]
    public async Task AnnouncementsApi_UnknownOutcomeOrStream_IsAClearError()
    {
        using var app = await StartAsync();
        using var admin = app.CreateAdminClient();
        using var anonymous = app.CreateClient(bearer: null);

        var bad = await admin.GetAsync($"/api/v1/streams/{Stream}/announcements?outcome=lost");
        Assert.Contains("'lost' is not an outcome", (await Problem.ReadAsync(bad, HttpStatusCode.BadRequest)).Errors["outcome"][0]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/streams/nope/announcements")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/streams/{Stream}/announcements")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/bus")).StatusCode);
    }

    [Fact]
    public async Task RedeliveryAfterTheCandidateWasCommitted_IsAcknowledgedWithoutASecondCandidate()
    {
        // The app stopped after the commit but before the ack: the broker hands the message over again.
        var id = "Fedora-Rawhide-20261121.n.5";
        var topdir = WriteCompose(id);
        using var app = await StartAsync();
        var handler = app.Services.GetRequiredService<AnnouncementHandler>();
        var settings = new AmqpSourceSettings { Url = broker.Url, Queue = queue, ComposeIdPattern = "^Fedora-Rawhide-" };
        var delivery = new BusDelivery("direct-1", Topic, Encoding.UTF8.GetBytes(Pungi(id, "FINISHED", topdir + "/compose")), Redelivered: false);

        var first = await handler.HandleAsync(Stream, settings, delivery, CancellationToken.None);
        var second = await handler.HandleAsync(Stream, settings, delivery with { Redelivered = true }, CancellationToken.None);

        Assert.Equal(Settlement.Acknowledge, first);
        Assert.Equal(Settlement.Acknowledge, second);
        var row = await app.WithDbAsync(db => db.Announcements.SingleAsync(a => a.MessageId == "direct-1"));
        Assert.Equal(AnnouncementOutcome.Ingested, row.Outcome);
        Assert.Equal(2, row.Deliveries);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(1, await app.WithDbAsync(db => db.Candidates.CountAsync(c => c.Id == id)));
    }
}

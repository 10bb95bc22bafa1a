using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Events;

public sealed class WebhookTests
{
    private const string Secret = "stream-webhook-secret-0123";

    [Fact]
    public async Task StreamEvents_AreDeliveredSignedAndRetriedUntilAccepted()
    {
        await using var receiver = await WebhookReceiver.StartAsync(refusals: 2);
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Streams:hooked:Webhooks:0:Url"] = new Uri(receiver.Address, "/hook").ToString();
        app.Settings["ComposeGate:Streams:hooked:Webhooks:0:Secret"] = Secret;
        using var admin = app.CreateAdminClient();
        var compose = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);

        (await admin.PostAsync("/api/v1/streams/hooked/candidates", compose.Content())).EnsureSuccessStatusCode();

        // Refused twice: each retry is due once the clock passes the back-off.
        for (var attempt = 0; attempt < 100 && !receiver.Requests.Any(r => r.Event == OutgoingEvents.CandidateCreated && r.Status == 204); attempt++)
        {
            await Task.Delay(200);
            app.Clock.Advance(TimeSpan.FromMinutes(5));
        }
        var created = receiver.Requests.Where(r => r.Event == OutgoingEvents.CandidateCreated).ToList();
        Assert.Equal(204, created[^1].Status);
        Assert.Single(created.Select(r => r.Delivery).Distinct());
        Assert.Equal(WebhookSender.Sign(Secret, created[^1].Body), created[^1].Signature);
        var body = JsonDocument.Parse(created[^1].Body).RootElement;
        Assert.Equal(compose.Id, body.GetProperty("candidate").GetString());
        Assert.Equal("hooked", body.GetProperty("stream").GetString());

        var deliveries = await admin.GetFromJsonAsync<JsonElement>("/api/v1/streams/hooked/webhook-deliveries");
        var delivered = deliveries.EnumerateArray().Single(d => d.GetProperty("event").GetString() == OutgoingEvents.CandidateCreated);
        Assert.NotEqual(JsonValueKind.Null, delivered.GetProperty("deliveredAt").ValueKind);
        Assert.Equal(created.Count, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(2, receiver.Requests.Count(r => r.Status == 500));
        Assert.True(await app.WithDbAsync(db => db.WebhookDeliveries.AnyAsync(d => d.Event == OutgoingEvents.DecisionChanged)));
    }

    [Fact]
    public void Startup_WebhookWithoutSecret_FailsWithTheSetting()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Streams:hooked:Webhooks:0:Url"] = "http://127.0.0.1:9/hook";

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("ComposeGate:Streams:hooked:Webhooks:0:Secret", error.ToString());
    }
}

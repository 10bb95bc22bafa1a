using System.Text.Json;
using ComposeGate.Data;
using ComposeGate.Events;
using ComposeGate.Web.Bus;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Security;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Events;

/// <summary>
/// The stream events third parties can follow without GitLab: each configured webhook of the stream gets a
/// delivery row, and the AMQP publisher (when <c>ComposeGate:Bus:Publish</c> is set) an outbox row, in the same
/// transaction as the change; the senders deliver them until the receiver or the broker accepted them. Every copy
/// of one event carries the same id.
/// </summary>
public sealed class OutgoingEvents(IOptionsMonitor<StreamsOptions> streams, IOptionsMonitor<BusPublishOptions> bus, TimeProvider clock)
{
    public const string CandidateCreated = "candidate.created";
    public const string DecisionChanged = "decision.changed";
    public const string CandidatePromoted = "candidate.promoted";
    public const string CandidateFailed = "candidate.failed";

    public static readonly IReadOnlyList<string> Kinds = [CandidateCreated, DecisionChanged, CandidatePromoted, CandidateFailed];

    /// <summary>Adds the deliveries of an event to <paramref name="db"/>; they are saved with the caller's change.</summary>
    public void Record(AppDbContext db, int streamId, string stream, string kind, string? candidateId, object data)
    {
        var hooks = streams.CurrentValue.TryGetValue(stream, out var settings)
            ? settings.Webhooks.Where(h => h.Events.Count == 0 || h.Events.Contains(kind)).ToList()
            : [];
        var publish = bus.CurrentValue;
        if (hooks.Count == 0 && !publish.Publishes(kind))
        {
            return;
        }
        var now = clock.GetUtcNow();
        var eventId = Guid.NewGuid();
        var payload = JsonSerializer.Serialize(new { id = eventId, @event = kind, stream, candidate = candidateId, at = now, data }, JsonSerializerOptions.Web);
        foreach (var hook in hooks)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                EventId = eventId,
                StreamId = streamId,
                CandidateId = candidateId,
                Event = kind,
                // Found in configuration again by this masked form when it is sent (OutgoingEvents.HookFor).
                Url = UrlSecrets.Apply(hook.Url!),
                Payload = payload,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }
        if (publish.Publishes(kind))
        {
            db.BusOutbox.Add(new BusOutboxMessage
            {
                EventId = eventId,
                StreamId = streamId,
                CandidateId = candidateId,
                Event = kind,
                RoutingKey = publish.RoutingKey(kind),
                Payload = payload,
                CreatedAt = now,
            });
        }
    }

    /// <summary>
    /// The configured webhook a delivery goes to, by its masked URL: its real URL and its signing secret live in
    /// configuration only, never in the database.
    /// </summary>
    public WebhookSettings? HookFor(string stream, string url)
    {
        var shown = UrlSecrets.Apply(url);
        return streams.CurrentValue.TryGetValue(stream, out var settings)
            ? settings.Webhooks.FirstOrDefault(h => h.Url is not null && UrlSecrets.Apply(h.Url) == shown)
            : null;
    }
}

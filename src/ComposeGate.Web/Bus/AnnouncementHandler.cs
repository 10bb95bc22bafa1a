using System.Text;
using ComposeGate.Audit;
using ComposeGate.Bus;
using ComposeGate.Data;
using ComposeGate.Streams;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Candidates;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Bus;

/// <summary>A message as the broker handed it over.</summary>
public sealed record BusDelivery(string? MessageId, string Topic, ReadOnlyMemory<byte> Body, bool Redelivered);

/// <summary>What to tell the broker: the message is done with (ack), or it must come again (nack, requeue).</summary>
public enum Settlement
{
    Acknowledge,
    Requeue,
}

/// <summary>
/// Handles one announcement heard on a stream's queue. The message is recorded first (so a crash leaves a trace
/// and the redelivery is counted), then read, matched to the stream, and ingested from its location; the final
/// outcome is written in the same transaction as the candidate, and only then is the message acknowledged.
/// A message already handled is acknowledged again without doing anything.
/// </summary>
public sealed class AnnouncementHandler(
    IDbContextFactory<AppDbContext> dbFactory,
    CandidateIngestion ingestion,
    TimeProvider clock,
    ILogger<AnnouncementHandler> logger)
{
    /// <summary>The actor of candidates created from announcements.</summary>
    public const string Actor = "bus";

    /// <summary>A message that was handed over this many times without an outcome (it crashes us, the database is down) is recorded as failed.</summary>
    public const int MaxDeliveries = 10;

    public const int StoredBody = 16 * 1024;

    public async Task<Settlement> HandleAsync(string streamName, AmqpSourceSettings settings, BusDelivery delivery, CancellationToken ct)
    {
        var stream = await ingestion.FindStreamAsync(streamName, ct)
            ?? throw new InvalidOperationException($"Stream '{streamName}' is configured but does not exist.");
        var messageId = PungiMessage.IdOf(delivery.MessageId, delivery.Topic, delivery.Body.Span);
        var read = PungiMessage.TryRead(delivery.Body.Span, out var message, out var malformed);

        long rowId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var row = await db.Announcements.SingleOrDefaultAsync(a => a.StreamId == stream.Id && a.MessageId == messageId, ct);
            if (row is null)
            {
                row = new Announcement
                {
                    StreamId = stream.Id,
                    MessageId = messageId,
                    Topic = delivery.Topic,
                    ComposeId = message?.ComposeId,
                    ComposeStatus = message?.Status,
                    Location = message?.Location is { } location ? UrlSecrets.Apply(location) : null,
                    Outcome = AnnouncementOutcome.Processing,
                    ReceivedAt = clock.GetUtcNow(),
                    Body = BodyText(delivery.Body.Span),
                };
                db.Announcements.Add(row);
            }
            row.Deliveries++;
            var verdict = row.Outcome != AnnouncementOutcome.Processing ? null
                : row.Deliveries > MaxDeliveries ? (AnnouncementOutcome.Failed, $"Handed over {row.Deliveries} times without an outcome; last: {row.Reason ?? "no reason recorded"}")
                : !read ? (AnnouncementOutcome.Malformed, malformed)
                : Classify(delivery.Topic, message!, settings);
            if (verdict is var (outcome, reason))
            {
                Finish(row, outcome, reason, candidateId: null);
            }
            else if (row.Outcome == AnnouncementOutcome.Processing && await db.Candidates.AsNoTracking()
                         .Where(c => c.Id == message!.ComposeId).Select(c => new { c.Id, Stream = c.Stream.Name }).SingleOrDefaultAsync(ct) is { } existing)
            {
                Finish(row, AnnouncementOutcome.Duplicate,
                    existing.Stream == streamName ? $"{existing.Id} is already a candidate." : $"{existing.Id} is already a candidate of stream '{existing.Stream}'.",
                    existing.Id);
            }
            await db.SaveChangesAsync(ct);
            if (row.Outcome != AnnouncementOutcome.Processing)
            {
                if (row.Deliveries == 1 && row.Outcome is AnnouncementOutcome.Malformed or AnnouncementOutcome.Failed)
                {
                    logger.LogWarning("Announcement {MessageId} on {Stream}: {Outcome}: {Reason}", messageId, streamName, row.Outcome, row.Reason);
                }
                return Settlement.Acknowledge;
            }
            rowId = row.Id;
        }

        return await IngestAsync(stream, TimeSpan.FromSeconds(settings.RetrySeconds), rowId, message!, ct);
    }

    /// <summary>Tries a failed announcement once more (a release engineer fixed the mirror); the outcome replaces the failure.</summary>
    public async Task<Outcome<AnnouncementOutcome>> RetryAsync(string user, string streamName, long id, CancellationToken ct)
    {
        var stream = await ingestion.FindStreamAsync(streamName, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = stream is null ? null : await db.Announcements.SingleOrDefaultAsync(a => a.Id == id && a.StreamId == stream.Id, ct);
        if (row is null)
        {
            return new Outcome<AnnouncementOutcome>.NotFound($"No announcement {id} on stream '{streamName}'.");
        }
        if (row.Outcome != AnnouncementOutcome.Failed || row.ComposeId is null || row.Location is null || row.ComposeStatus is null)
        {
            return new Outcome<AnnouncementOutcome>.Conflict($"Announcement {id} is {row.Outcome.ToString().ToLowerInvariant()}; only failed announcements of a compose are tried again.");
        }
        if (UrlSecrets.HasMaskedParts(row.Location))
        {
            // Its credentials were never stored, so the location as recorded cannot be read.
            return new Outcome<AnnouncementOutcome>.Conflict(
                $"Announcement {id} named a location with credentials, which are not kept; it cannot be tried again. The next announcement of {row.ComposeId} will be.");
        }
        row.Outcome = AnnouncementOutcome.Processing;
        row.Reason = $"Tried again by {user}";
        db.Record(clock.GetUtcNow(), user, "announcement.retried", $"Tried announcement of {row.ComposeId} again", streamId: stream!.Id, data: new { id, row.MessageId });
        await db.SaveChangesAsync(ct);
        await IngestAsync(stream, TimeSpan.Zero, id, new PungiMessage(row.ComposeId, row.ComposeStatus, row.Location), ct);
        await using var after = await dbFactory.CreateDbContextAsync(ct);
        return await after.Announcements.Where(a => a.Id == id).Select(a => a.Outcome).SingleAsync(ct);
    }

    /// <summary>Ingests from the first of the compose's directories that holds it; a compose not readable yet is tried again until <paramref name="retry"/> is spent.</summary>
    private async Task<Settlement> IngestAsync(ReleaseStream stream, TimeSpan retry, long rowId, PungiMessage message, CancellationToken ct)
    {
        var attempt = 0;
        while (true)
        {
            attempt++;
            var (outcome, reason, candidateId) = await TryIngestAsync(stream, rowId, message, ct);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var row = await db.Announcements.SingleAsync(a => a.Id == rowId, ct);
            if (row.Outcome != AnnouncementOutcome.Processing)
            {
                // Written together with the candidate, this attempt counted.
                return Settlement.Acknowledge;
            }
            row.Attempts++;
            var delay = BusLinks.Backoff(attempt + 1);
            if (outcome is { } final || clock.GetUtcNow() + delay > row.ReceivedAt + retry)
            {
                Finish(row, outcome ?? AnnouncementOutcome.Failed,
                    outcome is null ? $"Not readable after {row.Attempts} attempt(s): {reason}" : reason, candidateId);
                await db.SaveChangesAsync(ct);
                if (row.Outcome == AnnouncementOutcome.Failed)
                {
                    db.Record(clock.GetUtcNow(), Actor, "announcement.failed", $"Could not ingest announced compose {message.ComposeId}: {row.Reason}", streamId: stream.Id,
                        data: new { rowId, row.MessageId, row.Location });
                    await db.SaveChangesAsync(ct);
                    logger.LogWarning("Announced compose {Compose} on {Stream} failed: {Reason}", message.ComposeId, stream.Name, row.Reason);
                }
                return Settlement.Acknowledge;
            }
            row.Reason = $"Waiting (attempt {row.Attempts}): {reason}";
            await db.SaveChangesAsync(ct);
            await Task.Delay(delay, clock, ct);
        }
    }

    /// <summary>A final outcome, or null and the reason when the compose is not readable (yet).</summary>
    private async Task<(AnnouncementOutcome? Outcome, string Reason, string? CandidateId)> TryIngestAsync(
        ReleaseStream stream, long rowId, PungiMessage message, CancellationToken ct)
    {
        var reasons = new List<string>();
        foreach (var directory in message.ComposeDirectories())
        {
            var from = "Ingested from " + UrlSecrets.Apply(directory);
            var result = await ingestion.IngestUrlAsync(Actor, stream, directory, ct, expectedId: message.ComposeId,
                whenCreated: (db, token) => db.Announcements.Where(a => a.Id == rowId).ExecuteUpdateAsync(set => set
                    .SetProperty(a => a.Outcome, AnnouncementOutcome.Ingested)
                    .SetProperty(a => a.CandidateId, message.ComposeId)
                    .SetProperty(a => a.HandledAt, clock.GetUtcNow())
                    .SetProperty(a => a.Reason, from)
                    .SetProperty(a => a.Attempts, a => a.Attempts + 1), token));
            switch (result)
            {
                case Outcome<IngestResult>.Ok { Value.Created: true }:
                    logger.LogInformation("Announced compose {Compose} is now a candidate of {Stream}", message.ComposeId, stream.Name);
                    return (AnnouncementOutcome.Ingested, from, message.ComposeId);
                case Outcome<IngestResult>.Ok:
                    return (AnnouncementOutcome.Duplicate, $"{message.ComposeId} is already a candidate.", message.ComposeId);
                case Outcome<IngestResult>.Unprocessable waiting:
                    reasons.Add(waiting.Detail);
                    break;
                case Outcome<IngestResult>.Conflict conflict when conflict.Detail.StartsWith("The compose at", StringComparison.Ordinal):
                    reasons.Add(conflict.Detail);
                    break;
                default:
                    return (AnnouncementOutcome.Failed, result.Message ?? result.GetType().Name, null);
            }
        }
        return (null, string.Join(" ", reasons), null);
    }

    private static (AnnouncementOutcome, string)? Classify(string topic, PungiMessage message, AmqpSourceSettings settings)
    {
        if (!PungiMessage.IsStatusChange(topic))
        {
            return (AnnouncementOutcome.Ignored, $"Topic {topic} is not a compose status change.");
        }
        if (!settings.IsComposeOfThisStream(message.ComposeId))
        {
            return (AnnouncementOutcome.Ignored, $"{message.ComposeId} is not a compose of this stream (ComposeIdPattern {settings.ComposeIdPattern}).");
        }
        if (!message.Finished)
        {
            return (AnnouncementOutcome.Ignored, $"Status {message.Status}: only {string.Join(" and ", PungiMessage.FinishedStatuses)} composes become candidates.");
        }
        return null;
    }

    private void Finish(Announcement row, AnnouncementOutcome outcome, string reason, string? candidateId)
    {
        row.Outcome = outcome;
        row.Reason = reason;
        row.CandidateId = candidateId ?? row.CandidateId;
        row.HandledAt = clock.GetUtcNow();
    }

    private static string BodyText(ReadOnlySpan<byte> body)
    {
        var text = UrlSecrets.ApplyWithin(Encoding.UTF8.GetString(body[..Math.Min(body.Length, StoredBody)]));
        return body.Length > StoredBody ? text + $"\n… ({body.Length - StoredBody} more bytes)" : text;
    }
}

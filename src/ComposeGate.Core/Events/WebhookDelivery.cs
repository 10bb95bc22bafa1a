namespace ComposeGate.Events;

/// <summary>
/// An outgoing event for one subscriber, written in the same transaction as the change it announces (an
/// outbox): it is delivered at least once even if the app stops right after the change. <see cref="EventId"/>
/// is stable across retries so receivers can drop duplicates.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public int StreamId { get; set; }
    public string? CandidateId { get; set; }
    /// <summary>candidate.created, decision.changed, candidate.promoted, candidate.failed.</summary>
    public required string Event { get; set; }
    public required string Url { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? GaveUpAt { get; set; }
    public string? LastError { get; set; }
}

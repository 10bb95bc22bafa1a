namespace ComposeGate.Events;

/// <summary>
/// An event to publish to the AMQP exchange, written in the same transaction as the change it announces (an
/// outbox): it reaches the broker at least once even if the app stops right after the change. It is marked
/// published only once the broker confirmed it; <see cref="EventId"/> is the AMQP message id, the same on every
/// try, so consumers drop duplicates.
/// </summary>
public sealed class BusOutboxMessage
{
    public long Id { get; set; }
    public Guid EventId { get; set; }
    public int StreamId { get; set; }
    public string? CandidateId { get; set; }
    /// <summary>candidate.created, decision.changed, candidate.promoted, candidate.failed.</summary>
    public required string Event { get; set; }
    public required string RoutingKey { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public string? LastError { get; set; }
}

namespace ComposeGate.Audit;

/// <summary>Who did what, when, to which candidate or stream. The candidate timeline is made of these.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>User name, bot account, or <c>system</c> for background work.</summary>
    public required string Actor { get; set; }
    /// <summary>Dotted kind such as <c>stream.created</c>, <c>result.reported</c>, <c>decision.changed</c>.</summary>
    public required string Kind { get; set; }
    public string? CandidateId { get; set; }
    public int? StreamId { get; set; }
    /// <summary>One line for people.</summary>
    public required string Summary { get; set; }
    /// <summary>Details as a JSON object, for machines.</summary>
    public string? Data { get; set; }
}

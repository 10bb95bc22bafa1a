namespace ComposeGate.Gating;

/// <summary>
/// A release engineer's acceptance of a failed or missing testcase requirement for one candidate.
/// Revoking keeps the row: every waiver stays visible in the history.
/// </summary>
public sealed class Waiver
{
    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public required string Testcase { get; set; }
    /// <summary>Empty when the waiver covers every scenario of the testcase.</summary>
    public string Scenario { get; set; } = "";
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }

    public bool IsActiveAt(DateTimeOffset at) =>
        CreatedAt <= at && (RevokedAt is null || RevokedAt > at) && (ExpiresAt is null || ExpiresAt > at);
}

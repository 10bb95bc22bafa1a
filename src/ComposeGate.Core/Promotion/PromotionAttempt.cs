namespace ComposeGate.Promotion;

/// <summary>
/// One run of a stream's promotion actions for a candidate. The database is the source of truth: an
/// attempt that is not finished is resumed after a restart, and completed steps are not redone.
/// </summary>
public sealed class PromotionAttempt
{
    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public int Number { get; set; }
    public PromotionTrigger Trigger { get; set; }
    public required string RequestedBy { get; set; }
    public PromotionStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Error { get; set; }
    /// <summary>Who asked to cancel it; the runner stops before the next step (or interrupts the running one).</summary>
    public string? CancelRequestedBy { get; set; }
    /// <summary>The forge issue opened when it failed; opened once, by whichever run gets there first.</summary>
    public string? IssueUrl { get; set; }
    /// <summary>
    /// The Hangfire job that runs it (the latest, if a sweep had to enqueue it again): the Jobs page links to it, and
    /// the sweep enqueues a new one only when this one is gone or finished.
    /// </summary>
    public string? JobId { get; set; }

    public List<PromotionStep> Steps { get; set; } = [];
}

/// <summary>One ordered action of a promotion attempt, with its outcome and captured output.</summary>
public sealed class PromotionStep
{
    public long Id { get; set; }
    public long AttemptId { get; set; }
    public int Position { get; set; }
    /// <summary>The action kind: Publish, Retag, Webhook, Command, or the built-in Merge / Announce steps.</summary>
    public required string Action { get; set; }
    /// <summary>What the step does in words, e.g. "Retag quay.io/gitpod/workspace-full:stable".</summary>
    public required string Description { get; set; }
    /// <summary>
    /// The action's settings as they were when the attempt was created (JSON, without secrets), so a resumed
    /// attempt runs what was started even if the configuration changed meanwhile.
    /// </summary>
    public string? Settings { get; set; }
    public PromotionStatus Status { get; set; }
    public int Tries { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Captured output, bounded in size (the tail is kept).</summary>
    public string? Output { get; set; }
    public string? Error { get; set; }
}

public enum PromotionTrigger
{
    Auto,
    Manual,
    Retry,
}

public enum PromotionStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

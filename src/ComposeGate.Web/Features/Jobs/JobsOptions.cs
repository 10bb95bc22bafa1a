namespace ComposeGate.Web.Features.Jobs;

/// <summary><c>ComposeGate:Jobs</c>: how the Hangfire server in this process works.</summary>
public sealed class JobsOptions
{
    public const string Section = "ComposeGate:Jobs";

    /// <summary>Jobs run at once (promotions of different streams, merge requests, deliveries); 2–20, default 4.</summary>
    public int Workers { get; set; } = 4;

    /// <summary>
    /// How often an idle worker looks at the queue, in seconds (1–60, default 15). An enqueue in this process wakes the
    /// workers at once, so this only bounds how late work enqueued elsewhere is noticed.
    /// </summary>
    public int QueuePollSeconds { get; set; } = 15;

    /// <summary>
    /// How often due retries, delayed jobs and recurring jobs are looked for, in seconds (1–60, default 1): schedules
    /// may name seconds, and a retry 2 s away should not wait 15.
    /// </summary>
    public int SchedulePollSeconds { get; set; } = 1;

    public string? Validate() =>
        Workers is < 2 or > 20 ? $"{Section}:Workers must be 2–20 (got {Workers})."
        : QueuePollSeconds is < 1 or > 60 ? $"{Section}:QueuePollSeconds must be 1–60 (got {QueuePollSeconds})."
        : SchedulePollSeconds is < 1 or > 60 ? $"{Section}:SchedulePollSeconds must be 1–60 (got {SchedulePollSeconds})."
        : null;
}

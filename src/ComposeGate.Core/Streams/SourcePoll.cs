namespace ComposeGate.Streams;

/// <summary>
/// The last check of a stream's configured source (a compose URL or an image tag), so failures are shown
/// and the next tick retries. One row per stream.
/// </summary>
public sealed class SourcePoll
{
    public int StreamId { get; set; }
    public required string Location { get; set; }
    public DateTimeOffset? LastCheckedAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    /// <summary>What the last check found, in words ("ingested X", "nothing new", "X is STARTED, not finished").</summary>
    public string? LastOutcome { get; set; }
    public string? LastError { get; set; }
    public int ConsecutiveFailures { get; set; }
}

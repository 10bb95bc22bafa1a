namespace ComposeGate.Forge;

/// <summary>A webhook delivery already handled, by its Idempotency-Key: GitLab retries, and duplicates are dropped.</summary>
public sealed class HookReceipt
{
    public required string Key { get; set; }
    public required string Event { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

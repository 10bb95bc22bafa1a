namespace ComposeGate.Forge;

/// <summary>A note on a merge request of the built-in forge (the status note, close reasons).</summary>
public sealed class ForgeNote
{
    public long Id { get; set; }
    public long MergeRequestId { get; set; }
    public required string Author { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

namespace ComposeGate.Policies;

/// <summary>One version of a stream's gating policy, kept as the YAML its author wrote.</summary>
public sealed class Policy
{
    public int Id { get; set; }
    public int StreamId { get; set; }
    public int Version { get; set; }
    public required string Yaml { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? Comment { get; set; }
}

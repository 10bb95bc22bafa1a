namespace ComposeGate.Forge;

/// <summary>An issue opened on the forge, e.g. for a failed promotion, so people are told where they work.</summary>
public sealed class IssueLink
{
    public long Id { get; set; }
    public string? CandidateId { get; set; }
    public int? StreamId { get; set; }
    public ForgeProvider Provider { get; set; }
    public long Number { get; set; }
    public required string Url { get; set; }
    public required string Title { get; set; }
    /// <summary>Body as opened, kept for the built-in forge, which shows it in our UI.</summary>
    public string Body { get; set; } = "";
    public bool Open { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

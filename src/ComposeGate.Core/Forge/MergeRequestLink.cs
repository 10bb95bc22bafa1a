namespace ComposeGate.Forge;

/// <summary>The merge request that mirrors a candidate on the compose repo (GitLab or the built-in forge).</summary>
public sealed class MergeRequestLink
{
    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public ForgeProvider Provider { get; set; }
    /// <summary>The forge's number for it (GitLab <c>iid</c>; the built-in forge numbers its own).</summary>
    public long Number { get; set; }
    public required string Url { get; set; }
    public required string SourceBranch { get; set; }
    public required string TargetBranch { get; set; }
    public MergeRequestState State { get; set; }
    /// <summary>Commit at the head of the source branch, used as the merge guard.</summary>
    public string? HeadSha { get; set; }
    /// <summary>Id of the single status note that is edited in place as the decision changes.</summary>
    public long? StatusNoteId { get; set; }
    /// <summary>The label last applied (<c>gate::pending</c>, …) so unchanged labels are not re-sent.</summary>
    public string? GateLabel { get; set; }
    /// <summary>SHA-256 of the status note last written, so an unchanged note is not re-sent to the forge.</summary>
    public string? StatusDigest { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? MergedAt { get; set; }
    public string? MergeSha { get; set; }
}

public enum ForgeProvider
{
    Local,
    GitLab,
}

public enum MergeRequestState
{
    Opened,
    Merged,
    Closed,
}

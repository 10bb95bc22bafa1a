namespace ComposeGate.Candidates;

/// <summary>
/// One compose (its id is the productmd compose id) or one image digest, on its way through the gate.
/// </summary>
public sealed class Candidate
{
    public required string Id { get; set; }
    public int StreamId { get; set; }
    public Streams.ReleaseStream Stream { get; set; } = null!;
    public CandidateStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset StatusChangedAt { get; set; }
    public required string CreatedBy { get; set; }

    /// <summary>Where the candidate was read from: a compose top directory (URL or path) or an image reference.</summary>
    public string? SourceUrl { get; set; }

    /// <summary>SHA-256 of the normalised ingested metadata: the same id with other content is a conflict.</summary>
    public required string ContentHash { get; set; }

    /// <summary>True when the source-package set equals the stream's previous newest candidate (nothing to refresh).</summary>
    public bool Unchanged { get; set; }

    // Compose facts (productmd composeinfo).
    public string? ReleaseShort { get; set; }
    public string? ReleaseVersion { get; set; }
    public string? ComposeDate { get; set; }
    public string? ComposeType { get; set; }
    public int? ComposeRespin { get; set; }
    public string? ComposeLabel { get; set; }

    // Image facts: the candidate is pinned to a digest, never to the moving tag it was taken from.
    public string? Image { get; set; }
    public string? Tag { get; set; }
    public string? Digest { get; set; }
    /// <summary>Platforms of a multi-arch image, e.g. <c>linux/amd64 linux/arm64</c>, space separated.</summary>
    public string? Platforms { get; set; }

    public int SourcePackageCount { get; set; }
    public int BinaryPackageCount { get; set; }

    public DateTimeOffset? PromotedAt { get; set; }

    /// <summary>The last recorded decision (computed from the policy, kept for lists and the dashboard).</summary>
    public bool DecisionSatisfied { get; set; }
    public string? DecisionSummary { get; set; }
    /// <summary>Why it was rejected, failed or superseded, in words for people.</summary>
    public string? StatusReason { get; set; }

    public List<CandidatePackage> Packages { get; set; } = [];
    public List<Gating.Result> Results { get; set; } = [];
    public List<Gating.Vote> Votes { get; set; } = [];
    public List<Gating.Waiver> Waivers { get; set; } = [];
    public List<Checklists.ChecklistRun> ChecklistRuns { get; set; } = [];
    public Forge.MergeRequestLink? MergeRequest { get; set; }
    public List<Forge.IssueLink> Issues { get; set; } = [];
    public List<Promotion.PromotionAttempt> Promotions { get; set; } = [];
}

/// <summary>The candidate lifecycle: received → gating → approved → promoting → promoted, or set aside.</summary>
public enum CandidateStatus
{
    Received,
    Gating,
    Approved,
    Promoting,
    Promoted,
    Rejected,
    Failed,
    Superseded,
}

public static class CandidateStatuses
{
    /// <summary>Still being gated: received, gating or approved.</summary>
    public static readonly IReadOnlyList<CandidateStatus> Open = [CandidateStatus.Received, CandidateStatus.Gating, CandidateStatus.Approved];
}

using ComposeGate.Forge;

namespace ComposeGate.Web.Forge;

/// <summary>
/// Where candidates appear as merge requests: the built-in git forge (default) or GitLab. Every operation is
/// idempotent, so a retry or a restart never opens a second merge request or posts a second status note.
/// </summary>
public interface IForge
{
    ForgeProvider Provider { get; }

    /// <summary>
    /// Ensures the candidate's branch (one commit on top of the target branch writing <see cref="CandidateBranch.Files"/>)
    /// and its merge request exist; an existing one is found by its source branch and returned unchanged.
    /// </summary>
    Task<ForgeMergeRequest> EnsureMergeRequestAsync(CandidateBranch branch, CancellationToken ct);

    /// <summary>
    /// Brings the merge request in line with the decision: exactly one gate label, the single status note
    /// (created once, then edited in place), and where the forge has them, commit statuses on the head commit.
    /// </summary>
    Task<ForgeMergeRequest> UpdateStatusAsync(ForgeMergeRequest mergeRequest, GateStatus status, CancellationToken ct);

    /// <summary>Closes the merge request with a note saying why; the target branch is untouched.</summary>
    Task<ForgeMergeRequest> CloseAsync(ForgeMergeRequest mergeRequest, string reason, CancellationToken ct);

    /// <summary>
    /// Merges with the head-sha guard; a no-op for a merge request already merged. If another candidate was merged
    /// first and the branch no longer merges cleanly, the branch is rebuilt on the new target from
    /// <paramref name="branch"/> (the candidate's own files, nothing else) and then merged.
    /// </summary>
    Task<ForgeMergeRequest> MergeAsync(ForgeMergeRequest mergeRequest, CandidateBranch branch, CancellationToken ct);

    /// <summary>Opens an issue (e.g. a failed promotion), so people are told where they work.</summary>
    Task<ForgeIssue> OpenIssueAsync(string title, string body, CancellationToken ct);
}

/// <summary>What a candidate's branch holds: <c>candidates/&lt;stream&gt;/&lt;id&gt;</c> off the target branch.</summary>
public sealed record CandidateBranch(
    string Stream,
    string CandidateId,
    string SourceBranch,
    string TargetBranch,
    IReadOnlyDictionary<string, string> Files,
    string CommitMessage,
    string Title,
    string Description);

/// <summary>A merge request as ComposeGate tracks it; <see cref="StatusNoteId"/> is the note edited in place.</summary>
public sealed record ForgeMergeRequest(
    ForgeProvider Provider,
    long Number,
    string Url,
    string SourceBranch,
    string TargetBranch,
    MergeRequestState State,
    string? HeadSha,
    long? StatusNoteId,
    string? GateLabel,
    string? MergeSha);

/// <summary>The decision as the forge shows it: a label (<c>gate::pending</c> …), a Markdown note, and per-requirement statuses.</summary>
public sealed record GateStatus(string Label, string Note, IReadOnlyList<RequirementCommitStatus> Statuses);

/// <summary>One requirement as a commit status: state is pending, running, success or failed.</summary>
public sealed record RequirementCommitStatus(string Name, string State, string Description);

public sealed record ForgeIssue(long Number, string Url, string Title);

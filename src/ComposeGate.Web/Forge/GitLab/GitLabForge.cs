using ComposeGate.Forge;

namespace ComposeGate.Web.Forge.GitLab;

/// <summary>
/// <see cref="IForge"/> on a GitLab project. Every operation re-reads GitLab's state before writing, so a retry or a
/// restart after a crash never opens a second merge request or posts a second status note.
/// </summary>
public sealed class GitLabForge(GitLabClient client, GitLabOptions options, ILogger<GitLabForge> logger) : IForge
{
    /// <summary>First line of the single status note; it is found again by this marker, whoever authored it.</summary>
    public const string StatusNoteMarker = "<!-- composegate:status -->";

    /// <summary>First line of the note that says why the merge request was closed.</summary>
    public const string CloseNoteMarker = "<!-- composegate:close -->";

    public const string GateLabelPrefix = "gate::";
    public const string PendingLabel = "gate::pending";
    public const string StatusNamePrefix = "composegate/";

    public ForgeProvider Provider => ForgeProvider.GitLab;

    public async Task<ForgeMergeRequest> EnsureMergeRequestAsync(CandidateBranch branch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(branch);
        var target = string.IsNullOrWhiteSpace(branch.TargetBranch) ? options.TargetBranch : branch.TargetBranch;

        var existing = await FindMergeRequestAsync(branch.SourceBranch, ct);
        if (existing is not null)
        {
            logger.LogInformation("GitLab MR !{Iid} already exists for {Branch}", existing.Iid, branch.SourceBranch);
            return ToForge(existing, null);
        }

        await EnsureBranchAsync(branch, target, ct);

        GitLabMergeRequest created;
        try
        {
            created = await client.CreateMergeRequestAsync(
                new GitLabCreateMergeRequest(branch.SourceBranch, target, branch.Title, branch.Description, PendingLabel), ct);
            logger.LogInformation("Opened GitLab MR !{Iid} for {Branch}", created.Iid, branch.SourceBranch);
        }
        catch (GitLabException e) when (e.Kind == GitLabErrorKind.Conflict)
        {
            // "Another open merge request already exists for this source branch": a concurrent attempt, or our own
            // earlier attempt whose response was lost (the POST is retried for exactly this reason).
            created = await FindMergeRequestAsync(branch.SourceBranch, ct)
                ?? throw new InvalidOperationException($"GitLab reported an open merge request for {branch.SourceBranch} but none was found.", e);
        }

        return ToForge(created, null);
    }

    public async Task<ForgeMergeRequest> UpdateStatusAsync(ForgeMergeRequest mergeRequest, GateStatus status, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mergeRequest);
        ArgumentNullException.ThrowIfNull(status);
        if (!status.Label.StartsWith(GateLabelPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"A gate label starts with '{GateLabelPrefix}'.", nameof(status));
        }

        var iid = mergeRequest.Number;
        var mr = await client.GetMergeRequestAsync(iid, ct);

        // Labels: keep everything that is not a gate label, and exactly one gate label.
        var labels = mr.Labels ?? [];
        var wanted = labels.Where(l => !l.StartsWith(GateLabelPrefix, StringComparison.Ordinal)).Append(status.Label).ToList();
        if (!labels.OrderBy(l => l, StringComparer.Ordinal).SequenceEqual(wanted.OrderBy(l => l, StringComparer.Ordinal)))
        {
            mr = await client.UpdateMergeRequestAsync(iid, new GitLabUpdateMergeRequest(Labels: string.Join(",", wanted)), ct);
        }

        // The one status note: edited in place; found by its marker when we do not know its id (e.g. after a crash).
        var body = StatusNoteMarker + "\n" + status.Note;
        var noteId = await UpsertMarkedNoteAsync(iid, mergeRequest.StatusNoteId, StatusNoteMarker, body, ct);

        // One commit status per requirement on the head commit.
        if (!string.IsNullOrEmpty(mr.Sha))
        {
            foreach (var requirement in status.Statuses)
            {
                await SetCommitStatusAsync(mr.Sha, requirement, ct);
            }
        }

        return ToForge(mr, noteId) with { GateLabel = status.Label };
    }

    public async Task<ForgeMergeRequest> CloseAsync(ForgeMergeRequest mergeRequest, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mergeRequest);
        var mr = await client.GetMergeRequestAsync(mergeRequest.Number, ct);
        if (MapState(mr.State) != MergeRequestState.Opened)
        {
            return ToForge(mr, mergeRequest.StatusNoteId);
        }

        var body = CloseNoteMarker + "\n" + reason;
        if (!await HasNoteAsync(mr.Iid, body, ct))
        {
            await client.CreateMergeRequestNoteAsync(mr.Iid, body, ct);
        }

        mr = await client.UpdateMergeRequestAsync(mr.Iid, new GitLabUpdateMergeRequest(StateEvent: "close"), ct);
        logger.LogInformation("Closed GitLab MR !{Iid}", mr.Iid);
        return ToForge(mr, mergeRequest.StatusNoteId);
    }

    public async Task<ForgeMergeRequest> MergeAsync(ForgeMergeRequest mergeRequest, CandidateBranch branch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mergeRequest);
        var iid = mergeRequest.Number;
        var mr = await client.GetMergeRequestAsync(iid, ct);
        if (MapState(mr.State) == MergeRequestState.Merged)
        {
            return ToForge(mr, mergeRequest.StatusNoteId);
        }

        // The sha guard: only the commit that was gated may be merged. If someone pushed to the candidate's
        // branch since, GitLab answers 409 and the merge is refused, never retried with the new head.
        var sha = mergeRequest.HeadSha ?? mr.Sha;
        for (var rebuilt = false; ; rebuilt = true)
        {
            try
            {
                mr = await client.MergeMergeRequestAsync(iid, sha, ct);
                if (mr.State == "merged" && mr.MergeCommitSha is null && mr.SquashCommitSha is null)
                {
                    mr = await client.GetMergeRequestAsync(iid, ct);
                }
                logger.LogInformation("Merged GitLab MR !{Iid} at {Sha}", iid, mr.MergeCommitSha);
                return ToForge(mr, mergeRequest.StatusNoteId);
            }
            catch (GitLabException e) when (e.Kind is GitLabErrorKind.Conflict or GitLabErrorKind.NotMergeable or GitLabErrorKind.CannotMerge)
            {
                // A retried PUT whose first attempt merged gets 405: look before reporting a failure.
                var current = await client.GetMergeRequestAsync(iid, ct);
                if (MapState(current.State) == MergeRequestState.Merged)
                {
                    return ToForge(current, mergeRequest.StatusNoteId);
                }
                if (e.Kind == GitLabErrorKind.Conflict)
                {
                    logger.LogWarning("GitLab MR !{Iid} head moved from the gated {Old} to {New}; not merging", iid, sha, current.Sha);
                }
                if (e.Kind != GitLabErrorKind.CannotMerge || rebuilt || MapState(current.State) != MergeRequestState.Opened)
                {
                    throw;
                }
                // Another candidate was merged first and the files clash: write this candidate's files again on
                // top of the new target (our own commit, the same content that was gated) and merge that.
                sha = await RebuildAsync(branch, ct);
                logger.LogInformation("Rebuilt {Branch} on the moved {Target} at {Sha}", branch.SourceBranch, branch.TargetBranch, sha);
            }
        }
    }

    private async Task<string> RebuildAsync(CandidateBranch branch, CancellationToken ct)
    {
        var target = string.IsNullOrWhiteSpace(branch.TargetBranch) ? options.TargetBranch : branch.TargetBranch;
        var actions = new List<GitLabCommitAction>();
        foreach (var (path, content) in branch.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            actions.Add(new GitLabCommitAction(await client.FileExistsAsync(path, target, ct) ? "update" : "create", path, content));
        }
        var commit = await client.CreateCommitAsync(
            new GitLabCreateCommit(branch.SourceBranch, branch.CommitMessage, actions, StartBranch: target, Force: true), ct);
        return commit.Id;
    }

    public async Task<ForgeIssue> OpenIssueAsync(string title, string body, CancellationToken ct)
    {
        var issue = await client.CreateIssueAsync(title, body, null, ct);
        return new ForgeIssue(issue.Iid, issue.WebUrl, issue.Title);
    }

    /// <summary>GitLab's state as ComposeGate's; <c>locked</c> (transiently, while merging) counts as opened.</summary>
    public static MergeRequestState MapState(string state) => state switch
    {
        "merged" => MergeRequestState.Merged,
        "closed" => MergeRequestState.Closed,
        _ => MergeRequestState.Opened,
    };

    /// <summary>The merge request for a source branch in any state: an open one first, else the newest.</summary>
    private async Task<GitLabMergeRequest?> FindMergeRequestAsync(string sourceBranch, CancellationToken ct)
    {
        GitLabMergeRequest? best = null;
        await foreach (var mr in client.ListMergeRequestsAsync(sourceBranch, null, ct))
        {
            if (mr.SourceBranch != sourceBranch)
            {
                continue;
            }

            if (best is null || Rank(mr) > Rank(best) || (Rank(mr) == Rank(best) && mr.Iid > best.Iid))
            {
                best = mr;
            }
        }

        return best;

        static int Rank(GitLabMergeRequest mr) => MapState(mr.State) switch
        {
            MergeRequestState.Opened => 2,
            MergeRequestState.Merged => 1,
            _ => 0,
        };
    }

    /// <summary>
    /// The source branch with one commit off the target writing the files. It is created by the commits API with
    /// <c>start_branch</c>, so branch and commit appear atomically: an existing branch already holds the commit.
    /// </summary>
    private async Task EnsureBranchAsync(CandidateBranch branch, string target, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await client.GetBranchAsync(branch.SourceBranch, ct) is not null)
            {
                return;
            }

            var actions = new List<GitLabCommitAction>();
            foreach (var (path, content) in branch.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var exists = await client.FileExistsAsync(path, target, ct);
                actions.Add(new GitLabCommitAction(exists ? "update" : "create", path, content));
            }

            try
            {
                var commit = await client.CreateCommitAsync(
                    new GitLabCreateCommit(branch.SourceBranch, branch.CommitMessage, actions, StartBranch: target), ct);
                logger.LogInformation("Created {Branch} at {Sha} off {Target}", branch.SourceBranch, commit.Id, target);
                return;
            }
            catch (GitLabException e) when (e.Kind == GitLabErrorKind.BadRequest && attempt == 0)
            {
                // The branch appeared meanwhile (a concurrent attempt, or our retried POST), or the target changed
                // between the file checks and the commit ("A file with this name already exists"): look again.
                logger.LogInformation("Creating {Branch} was rejected ({Message}); checking again", branch.SourceBranch, e.GitLabMessage);
            }
        }
    }

    private async Task<long> UpsertMarkedNoteAsync(long iid, long? knownId, string marker, string body, CancellationToken ct)
    {
        if (knownId is { } id)
        {
            try
            {
                await client.UpdateMergeRequestNoteAsync(iid, id, body, ct);
                return id;
            }
            catch (GitLabException e) when (e.Kind == GitLabErrorKind.NotFound)
            {
                logger.LogWarning("Status note {NoteId} on MR !{Iid} is gone; looking for another", id, iid);
            }
        }

        GitLabNote? found = null;
        await foreach (var note in client.ListMergeRequestNotesAsync(iid, ct))
        {
            if (!note.System && note.Body.StartsWith(marker, StringComparison.Ordinal) && (found is null || note.Id < found.Id))
            {
                found = note;
            }
        }

        if (found is not null)
        {
            if (found.Body != body)
            {
                await client.UpdateMergeRequestNoteAsync(iid, found.Id, body, ct);
            }

            return found.Id;
        }

        var created = await client.CreateMergeRequestNoteAsync(iid, body, ct);
        return created.Id;
    }

    private async Task<bool> HasNoteAsync(long iid, string body, CancellationToken ct)
    {
        await foreach (var note in client.ListMergeRequestNotesAsync(iid, ct))
        {
            if (note.Body == body)
            {
                return true;
            }
        }

        return false;
    }

    private async Task SetCommitStatusAsync(string sha, RequirementCommitStatus requirement, CancellationToken ct)
    {
        var state = requirement.State.ToLowerInvariant() switch
        {
            "failure" or "failed" => "failed",
            "succeeded" or "success" or "passed" => "success",
            var other => other,
        };
        try
        {
            await client.SetCommitStatusAsync(sha, StatusNamePrefix + requirement.Name, state, requirement.Description, null, ct);
        }
        catch (GitLabException e) when (e.Kind == GitLabErrorKind.BadRequest
                                        && e.GitLabMessage.Contains("Cannot transition status", StringComparison.OrdinalIgnoreCase))
        {
            // GitLab refuses to set a status to the state it already has: nothing to do.
        }
    }

    /// <summary>ComposeGate's view of a GitLab merge request.</summary>
    public static ForgeMergeRequest ToForge(GitLabMergeRequest mr, long? statusNoteId)
    {
        ArgumentNullException.ThrowIfNull(mr);
        return new ForgeMergeRequest(
            ForgeProvider.GitLab,
            mr.Iid,
            mr.WebUrl,
            mr.SourceBranch,
            mr.TargetBranch,
            MapState(mr.State),
            mr.Sha,
            statusNoteId,
            mr.Labels?.FirstOrDefault(l => l.StartsWith(GateLabelPrefix, StringComparison.Ordinal)),
            mr.MergeCommitSha ?? mr.SquashCommitSha);
    }
}

using ComposeGate.Data;
using ComposeGate.Forge;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Forge.Local;

/// <summary>
/// The built-in forge: a bare git repository driven through the git CLI, with merge requests kept as records in
/// our database and backed by real branches. Works on a fresh machine with nothing to configure.
/// </summary>
public sealed class LocalForge(LocalForgeOptions options, IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, ILogger<LocalForge> logger) : IForge
{
    public const string Author = "ComposeGate";
    public const string AuthorEmail = "composegate@localhost";

    private readonly Git git = new(options.Repository);
    private readonly SemaphoreSlim repository = new(1, 1);
    // Numbers are the next after the highest: merge request and issue jobs of different candidates run at once.
    private readonly SemaphoreSlim numbering = new(1, 1);

    public ForgeProvider Provider => ForgeProvider.Local;

    public Git Git => git;

    public async Task<ForgeMergeRequest> EnsureMergeRequestAsync(CandidateBranch branch, CancellationToken ct)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await db.MergeRequests.AsNoTracking().SingleOrDefaultAsync(m => m.Provider == ForgeProvider.Local && m.SourceBranch == branch.SourceBranch, ct) is { } existing)
            {
                return ToForge(existing);
            }
        }
        var head = await EnsureBranchAsync(branch, ct);
        await numbering.WaitAsync(ct);
        try
        {
            return await OpenAsync(branch, head, ct);
        }
        finally
        {
            numbering.Release();
        }
    }

    private async Task<ForgeMergeRequest> OpenAsync(CandidateBranch branch, string head, CancellationToken ct)
    {
        await using var save = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var number = (await save.MergeRequests.Where(m => m.Provider == ForgeProvider.Local).MaxAsync(m => (long?)m.Number, ct) ?? 0) + 1;
        var link = new MergeRequestLink
        {
            CandidateId = branch.CandidateId,
            Provider = ForgeProvider.Local,
            Number = number,
            Url = $"/merge-requests/{number}",
            SourceBranch = branch.SourceBranch,
            TargetBranch = branch.TargetBranch,
            State = MergeRequestState.Opened,
            HeadSha = head,
            GateLabel = "gate::pending",
            CreatedAt = now,
            UpdatedAt = now,
        };
        save.MergeRequests.Add(link);
        try
        {
            await save.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Opened meanwhile by a concurrent attempt (the source branch is unique): that one is the merge request.
            await using var again = await dbFactory.CreateDbContextAsync(ct);
            return ToForge(await again.MergeRequests.AsNoTracking().SingleAsync(m => m.Provider == ForgeProvider.Local && m.SourceBranch == branch.SourceBranch, ct));
        }
        logger.LogInformation("Opened local merge request !{Number} for {Branch}", number, branch.SourceBranch);
        return ToForge(link);
    }

    public async Task<ForgeMergeRequest> UpdateStatusAsync(ForgeMergeRequest mergeRequest, GateStatus status, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var link = await db.MergeRequests.SingleAsync(m => m.Provider == ForgeProvider.Local && m.Number == mergeRequest.Number, ct);
        var now = clock.GetUtcNow();
        var note = link.StatusNoteId is { } id ? await db.ForgeNotes.SingleOrDefaultAsync(n => n.Id == id, ct) : null;
        if (note is null)
        {
            note = new ForgeNote { MergeRequestId = link.Id, Author = Author, Body = status.Note, CreatedAt = now, UpdatedAt = now };
            db.ForgeNotes.Add(note);
            await db.SaveChangesAsync(ct);
            link.StatusNoteId = note.Id;
        }
        else if (note.Body != status.Note)
        {
            note.Body = status.Note;
            note.UpdatedAt = now;
        }
        if (link.GateLabel != status.Label)
        {
            link.GateLabel = status.Label;
            link.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
        return ToForge(link);
    }

    public async Task<ForgeMergeRequest> CloseAsync(ForgeMergeRequest mergeRequest, string reason, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var link = await db.MergeRequests.SingleAsync(m => m.Provider == ForgeProvider.Local && m.Number == mergeRequest.Number, ct);
        if (link.State == MergeRequestState.Opened)
        {
            var now = clock.GetUtcNow();
            db.ForgeNotes.Add(new ForgeNote { MergeRequestId = link.Id, Author = Author, Body = reason, CreatedAt = now, UpdatedAt = now });
            link.State = MergeRequestState.Closed;
            link.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return ToForge(link);
    }

    /// <summary>
    /// Merges the candidate's branch into the target with a merge commit, guarded by the target's sha. If another
    /// candidate was merged first, the branch is rebuilt on the new target (its files are the whole candidate)
    /// and then merged, so the target's history stays the history of published candidates.
    /// </summary>
    public async Task<ForgeMergeRequest> MergeAsync(ForgeMergeRequest mergeRequest, CandidateBranch branch, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var link = await db.MergeRequests.SingleAsync(m => m.Provider == ForgeProvider.Local && m.Number == mergeRequest.Number, ct);
        if (link.State == MergeRequestState.Merged)
        {
            return ToForge(link);
        }
        await repository.WaitAsync(ct);
        try
        {
            var target = await RevParseAsync(link.TargetBranch, ct) ?? throw new GitException($"The target branch {link.TargetBranch} does not exist.");
            var source = await RevParseAsync(link.SourceBranch, ct) ?? throw new GitException($"The branch {link.SourceBranch} does not exist.");
            var parent = (await git.RunAsync(["rev-parse", $"{source}^"], null, null, ct)).Trim();
            if (parent != target)
            {
                source = await RebuildAsync(link.SourceBranch, source, target, branch, ct);
                logger.LogInformation("Rebuilt {Branch} on the moved target {Target}", link.SourceBranch, link.TargetBranch);
            }
            var tree = (await git.RunAsync(["rev-parse", $"{source}^{{tree}}"], null, null, ct)).Trim();
            var merge = (await git.RunAsync(["commit-tree", tree, "-p", target, "-p", source, "-m", $"Merge !{link.Number}: {link.SourceBranch}"],
                null, Identity(), ct)).Trim();
            // The old-value argument is the guard: the target must still be where we read it.
            await git.RunAsync(["update-ref", $"refs/heads/{link.TargetBranch}", merge, target], null, null, ct);
            link.State = MergeRequestState.Merged;
            link.HeadSha = source;
            link.MergeSha = merge;
            link.MergedAt = link.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            return ToForge(link);
        }
        finally
        {
            repository.Release();
        }
    }

    public async Task<ForgeIssue> OpenIssueAsync(string title, string body, CancellationToken ct)
    {
        await numbering.WaitAsync(ct);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var number = (await db.Issues.Where(i => i.Provider == ForgeProvider.Local).MaxAsync(i => (long?)i.Number, ct) ?? 0) + 1;
            var issue = new IssueLink { Provider = ForgeProvider.Local, Number = number, Url = $"/issues/{number}", Title = title, Body = body, CreatedAt = clock.GetUtcNow() };
            db.Issues.Add(issue);
            await db.SaveChangesAsync(ct);
            return new ForgeIssue(number, issue.Url, title);
        }
        finally
        {
            numbering.Release();
        }
    }

    /// <summary>The diff of a merge request as git shows it (target...branch).</summary>
    public async Task<string> DiffAsync(string targetBranch, string sourceBranch, CancellationToken ct) =>
        await git.RunAsync(["diff", "--no-color", $"refs/heads/{targetBranch}...refs/heads/{sourceBranch}"], null, null, ct);

    /// <summary>Creates the bare repository with an initial commit on the target branch, once.</summary>
    public async Task EnsureRepositoryAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(options.Repository, "HEAD")))
        {
            Directory.CreateDirectory(options.Repository);
            await git.RunAsync(["init", "--bare", "--quiet", $"--initial-branch={options.TargetBranch}"], null, null, ct);
        }
        if (await RevParseAsync(options.TargetBranch, ct) is null)
        {
            var readme = await HashAsync("# Compose repo\n\nOne branch per candidate; the history of this branch is the history of published candidates.\n", ct);
            var tree = (await git.RunAsync(["mktree"], $"100644 blob {readme}\tREADME.md\n", null, ct)).Trim();
            var commit = (await git.RunAsync(["commit-tree", tree, "-m", "Compose repo"], null, Identity(), ct)).Trim();
            await git.RunAsync(["update-ref", $"refs/heads/{options.TargetBranch}", commit, ""], null, null, ct);
        }
    }

    /// <summary>The branch with one commit writing the candidate's files on top of the target; an existing branch is kept.</summary>
    private async Task<string> EnsureBranchAsync(CandidateBranch branch, CancellationToken ct)
    {
        await repository.WaitAsync(ct);
        try
        {
            await EnsureRepositoryAsync(ct);
            if (await RevParseAsync(branch.SourceBranch, ct) is { } existing)
            {
                return existing;
            }
            var target = await RevParseAsync(branch.TargetBranch, ct) ?? throw new GitException($"The target branch {branch.TargetBranch} does not exist.");
            var commit = await CommitFilesAsync(target, branch.Files, branch.CommitMessage, ct);
            await git.RunAsync(["update-ref", $"refs/heads/{branch.SourceBranch}", commit, ""], null, null, ct);
            return commit;
        }
        finally
        {
            repository.Release();
        }
    }

    private async Task<string> RebuildAsync(string branch, string oldHead, string newTarget, CandidateBranch content, CancellationToken ct)
    {
        // The branch's commit writes the candidate's whole files, so rebuilding is writing them again on the new target.
        var commit = await CommitFilesAsync(newTarget, content.Files, content.CommitMessage, ct);
        await git.RunAsync(["update-ref", $"refs/heads/{branch}", commit, oldHead], null, null, ct);
        return commit;
    }

    private async Task<string> CommitFilesAsync(string parent, IReadOnlyDictionary<string, string> files, string message, CancellationToken ct)
    {
        // A private index file: the bare repository has no work tree, and concurrent commits must not share one.
        var index = Path.Combine(Path.GetTempPath(), $"composegate-index-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string>(Identity()) { ["GIT_INDEX_FILE"] = index };
        try
        {
            await git.RunAsync(["read-tree", parent], null, environment, ct);
            foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var blob = await HashAsync(content, ct);
                await git.RunAsync(["update-index", "--add", "--cacheinfo", $"100644,{blob},{path}"], null, environment, ct);
            }
            var tree = (await git.RunAsync(["write-tree"], null, environment, ct)).Trim();
            return (await git.RunAsync(["commit-tree", tree, "-p", parent, "-m", message], null, environment, ct)).Trim();
        }
        finally
        {
            File.Delete(index);
        }
    }

    private async Task<string> HashAsync(string content, CancellationToken ct) =>
        (await git.RunAsync(["hash-object", "-w", "--stdin"], content, null, ct)).Trim();

    private async Task<string?> RevParseAsync(string branch, CancellationToken ct)
    {
        var result = await git.TryRunAsync(["rev-parse", "--verify", "--quiet", $"refs/heads/{branch}"], ct: ct);
        return result.ExitCode == 0 ? result.Output.Trim() : null;
    }

    private static Dictionary<string, string> Identity() => new()
    {
        ["GIT_AUTHOR_NAME"] = Author,
        ["GIT_AUTHOR_EMAIL"] = AuthorEmail,
        ["GIT_COMMITTER_NAME"] = Author,
        ["GIT_COMMITTER_EMAIL"] = AuthorEmail,
    };

    internal static ForgeMergeRequest ToForge(MergeRequestLink link) => new(link.Provider, link.Number, link.Url, link.SourceBranch, link.TargetBranch,
        link.State, link.HeadSha, link.StatusNoteId, link.GateLabel, link.MergeSha);
}

/// <summary><c>ComposeGate:Forge:Local</c>: where the built-in compose repo lives.</summary>
public sealed record LocalForgeOptions(string Repository, string TargetBranch);

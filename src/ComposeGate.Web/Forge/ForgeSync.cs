using System.Text;
using System.Text.Json;
using ComposeGate.Candidates;
using ComposeGate.Data;
using ComposeGate.Forge;
using ComposeGate.Policies;
using ComposeGate.Web.Components.Markdown;
using ComposeGate.Web.Features.Candidates;
using ComposeGate.Web.Features.Decisions;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Forge;

/// <summary>
/// Keeps each candidate's merge request in line with the gate: opens it when the candidate arrives, then keeps
/// its label and single status note current as the decision changes, merges it when the candidate is promoted and
/// closes it when the candidate is set aside. The work runs as Hangfire jobs (<see cref="MergeRequestJobs"/>),
/// enqueued on change notifications and by a periodic reconciliation, so a missed notification or a restart only
/// delays it; every step is idempotent, so a job run twice changes nothing the second time.
/// </summary>
public sealed class ForgeSync(
    IForge forge,
    IDbContextFactory<AppDbContext> dbFactory,
    DecisionService decisions,
    CandidateCatalog catalog,
    ForgeSyncOptions options,
    TimeProvider clock)
{
    private static readonly CandidateStatus[] SetAside = [CandidateStatus.Rejected, CandidateStatus.Superseded];

    /// <summary>Every candidate whose merge request may be missing or out of date.</summary>
    public async Task<List<string>> ReconcileAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Candidates
            .Where(c => CandidateStatuses.Open.Contains(c.Status)
                || ((SetAside.Contains(c.Status) || c.Status == CandidateStatus.Promoted) && c.MergeRequest != null && c.MergeRequest.State == MergeRequestState.Opened))
            .OrderBy(c => c.CreatedAt).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>One candidate: open its merge request if needed, then bring label and status note up to date.</summary>
    public async Task SyncAsync(string candidateId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidate = await db.Candidates.AsNoTracking().Include(c => c.Stream).Include(c => c.MergeRequest)
            .SingleOrDefaultAsync(c => c.Id == candidateId, ct);
        if (candidate is null)
        {
            return;
        }
        var mergeRequest = candidate.MergeRequest is { } link ? Local.LocalForge.ToForge(link) : null;
        if (SetAside.Contains(candidate.Status))
        {
            if (mergeRequest is { State: MergeRequestState.Opened })
            {
                await SaveAsync(candidateId, await forge.CloseAsync(mergeRequest,
                    $"Closed: the candidate was {candidate.Status.ToString().ToLowerInvariant()}{(candidate.StatusReason is null ? "" : $" — {MarkdownText.Escape(candidate.StatusReason)}")}.", ct), ct);
            }
            return;
        }
        if (!CandidateStatuses.Open.Contains(candidate.Status) && candidate.Status is not (CandidateStatus.Promoting or CandidateStatus.Promoted))
        {
            return;
        }
        if (mergeRequest is null)
        {
            mergeRequest = await forge.EnsureMergeRequestAsync(await BranchAsync(db, candidate, ct), ct);
            await SaveAsync(candidateId, mergeRequest, ct);
        }
        if (mergeRequest.State != MergeRequestState.Opened)
        {
            return;
        }
        var decision = await decisions.EvaluateAsync(candidateId, ct: ct);
        if (decision is null)
        {
            return;
        }
        var status = Status(candidate, decision);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(status.Label + "\n" + status.Note)));
        if (mergeRequest.StatusNoteId is null || digest != candidate.MergeRequest?.StatusDigest)
        {
            mergeRequest = await forge.UpdateStatusAsync(mergeRequest, status, ct);
            await SaveAsync(candidateId, mergeRequest, ct, digest);
        }
        // Published: the target branch's history is the history of published candidates.
        if (candidate.Status == CandidateStatus.Promoted)
        {
            await SaveAsync(candidateId, await forge.MergeAsync(mergeRequest, await BranchAsync(db, candidate, ct), ct), ct);
        }
    }

    private async Task SaveAsync(string candidateId, ForgeMergeRequest mergeRequest, CancellationToken ct, string? statusDigest = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var link = await db.MergeRequests.SingleOrDefaultAsync(m => m.CandidateId == candidateId, ct);
        var now = clock.GetUtcNow();
        if (link is null)
        {
            link = new MergeRequestLink
            {
                CandidateId = candidateId,
                Url = mergeRequest.Url,
                SourceBranch = mergeRequest.SourceBranch,
                TargetBranch = mergeRequest.TargetBranch,
                CreatedAt = now,
            };
            db.MergeRequests.Add(link);
        }
        link.Provider = mergeRequest.Provider;
        link.Number = mergeRequest.Number;
        link.Url = mergeRequest.Url;
        link.State = mergeRequest.State;
        link.HeadSha = mergeRequest.HeadSha;
        link.StatusNoteId = mergeRequest.StatusNoteId;
        link.GateLabel = mergeRequest.GateLabel;
        link.MergeSha = mergeRequest.MergeSha;
        link.StatusDigest = statusDigest ?? link.StatusDigest;
        link.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The branch of a candidate: its source packages (one name-version-release a line, sorted) and its facts.</summary>
    private async Task<CandidateBranch> BranchAsync(AppDbContext db, Candidate candidate, CancellationToken ct)
    {
        var stream = candidate.Stream.Name;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var packages = await db.CandidatePackages.AsNoTracking().Where(p => p.CandidateId == candidate.Id)
            .Select(p => p.Name + "-" + p.Version + "-" + p.Release).ToListAsync(ct);
        if (candidate.Digest is null)
        {
            files[$"streams/{stream}/packages.txt"] = string.Concat(packages.Distinct().Order(StringComparer.Ordinal).Select(p => p + "\n"));
        }
        else
        {
            files[$"streams/{stream}/image.txt"] = $"{candidate.Image}@{candidate.Digest}\n";
        }
        files[$"streams/{stream}/candidate.json"] = JsonSerializer.Serialize(new
        {
            id = candidate.Id,
            stream,
            source = candidate.SourceUrl,
            digest = candidate.Digest,
            compose = candidate.ComposeDate is null ? null : new
            {
                release = $"{candidate.ReleaseShort}-{candidate.ReleaseVersion}",
                date = candidate.ComposeDate,
                type = candidate.ComposeType,
                respin = candidate.ComposeRespin,
                label = candidate.ComposeLabel,
                sourcePackages = candidate.SourcePackageCount,
                rpms = candidate.BinaryPackageCount,
            },
        }, new JsonSerializerOptions { WriteIndented = true }) + "\n";

        var description = new StringBuilder($"Candidate {MarkdownText.Code(candidate.Id)} of stream {MarkdownText.Code(stream)}.\n\n");
        if (candidate.Digest is null && (await catalog.DiffAsync(candidate.Id, null, DiffLevel.Source, ct)) is Api.Outcome<CandidateDiff>.Ok diff)
        {
            var d = diff.Value.Diff;
            description.Append($"Against {(diff.Value.Base is null ? "nothing published yet" : MarkdownText.Code(diff.Value.Base))}: ")
                .Append($"{d.Count(ChangeKind.Added)} added, {d.Count(ChangeKind.Removed)} removed, {d.Count(ChangeKind.Upgraded)} upgraded, ")
                .Append($"{d.Count(ChangeKind.Downgraded)} downgraded, {d.Count(ChangeKind.Unchanged)} unchanged source packages.\n\n");
        }
        if (await decisions.EvaluateAsync(candidate.Id, ct: ct) is { } decision)
        {
            description.Append(decision.Requirements.Count == 0
                ? $"The stream's policy: {MarkdownText.Escape(decision.Summary)}\n\n"
                : "The stream's policy requires:\n" + string.Concat(decision.Requirements.Select(r => $"- {RequirementName(r)}\n")) + "\n");
        }
        description.Append("ComposeGate keeps the `gate::` label and its status note on this merge request up to date; it is merged when the candidate is promoted. ")
            .Append("Vote with 👍 / 👎 or `/approve`, `/block <reason>`; release engineers can `/waive <testcase> <reason>`; anyone can ask `/retest <testcase>`.\n");
        return new CandidateBranch(stream, candidate.Id, $"candidates/{stream}/{candidate.Id}", options.TargetBranch, files,
            $"Candidate {candidate.Id}", $"Candidate {candidate.Id}", description.ToString());
    }

    /// <summary>A requirement in a note: names and scenarios are the policy's and the reporters' words, never Markdown.</summary>
    private static string RequirementName(RequirementState requirement) =>
        $"{requirement.Kind} {MarkdownText.Code(requirement.Name)}{(requirement.Scenario is null ? "" : $" ({MarkdownText.Escape(requirement.Scenario)})")}";

    /// <summary>The decision as the forge shows it.</summary>
    public static GateStatus Status(Candidate candidate, Decision decision)
    {
        var label = candidate.Status == CandidateStatus.Promoted ? "gate::promoted"
            : decision.Satisfied ? "gate::passed"
            : decision.Requirements.Any(r => r.State is RequirementStatus.Failed or RequirementStatus.Errored) ? "gate::failed"
            : "gate::pending";
        var note = new StringBuilder()
            .Append($"**ComposeGate:** {(decision.Satisfied ? "satisfied" : "not satisfied")} — {MarkdownText.Escape(decision.Summary)}\n\n");
        if (decision.Requirements.Count > 0)
        {
            note.Append("| requirement | state | detail |\n|---|---|---|\n");
            foreach (var requirement in decision.Requirements)
            {
                note.Append($"| {RequirementName(requirement)} | {requirement.State.ToString().ToLowerInvariant()} | {MarkdownText.Escape(requirement.Detail)} |\n");
            }
        }
        // The forge names them composegate/<kind>/<name>[/<scenario>].
        var statuses = decision.Requirements.Select(r => new RequirementCommitStatus($"{r.Kind}/{r.Name}{(r.Scenario is null ? "" : $"/{r.Scenario}")}",
            r.State switch
            {
                RequirementStatus.Satisfied or RequirementStatus.Waived => "success",
                RequirementStatus.Failed or RequirementStatus.Errored => "failed",
                RequirementStatus.Pending => "running",
                _ => "pending",
            }, r.Detail.Length > 255 ? r.Detail[..255] : r.Detail)).ToList();
        return new GateStatus(label, note.ToString(), statuses);
    }
}

/// <summary>How merge requests are kept in sync: the branch they merge into.</summary>
public sealed record ForgeSyncOptions(string TargetBranch);

using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Data;
using ComposeGate.Policies;
using ComposeGate.Promotion;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Decisions;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Promotion;
using ComposeGate.Web.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Promotion;

/// <summary>
/// Promoting a satisfied candidate (by a release engineer, or by itself under <c>promote: auto</c>), cancelling a
/// promotion, and rejecting a candidate. Promoting records an attempt with the stream's actions as its steps and
/// marks the candidate <c>promoting</c> in one transaction, then enqueues its Hangfire job (<see cref="PromotionJobs"/>), so the
/// request returns at once and a restart loses nothing.
/// </summary>
public sealed class PromotionService(
    IDbContextFactory<AppDbContext> dbFactory,
    DecisionService decisions,
    PromotionRunner runner,
    PromotionQueue queue,
    IOptionsMonitor<StreamsOptions> streams,
    ChangeFeed feed,
    TimeProvider clock,
    ILogger<PromotionService> logger)
{
    // One status change at a time: two release engineers clicking together promote once, and a reject cannot
    // slip between a promotion's check and its write.
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<Outcome<PromotionView>> PromoteAsync(ClaimsPrincipal? actor, string candidateId, CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        try
        {
            return await PromoteCoreAsync(actor, candidateId, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<Outcome<PromotionView>> RejectAsync(ClaimsPrincipal actor, string candidateId, string? reason, CancellationToken ct = default)
    {
        await gate.WaitAsync(ct);
        try
        {
            return await RejectCoreAsync(actor, candidateId, reason, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<Outcome<PromotionView>> PromoteCoreAsync(ClaimsPrincipal? actor, string candidateId, CancellationToken ct)
    {
        if (actor is not null && !Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<PromotionView>.Forbidden("Promoting needs the ReleaseEngineer role or above.");
        }
        var who = actor is null ? Actor.System : Actor.NameOf(actor);
        var decision = await decisions.EvaluateAsync(candidateId, ct: ct);
        if (decision is null)
        {
            return new Outcome<PromotionView>.NotFound($"No candidate '{candidateId}'.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidate = await db.Candidates.Include(c => c.Stream).SingleAsync(c => c.Id == candidateId, ct);
        if (candidate.Status is CandidateStatus.Promoted or CandidateStatus.Promoting)
        {
            // Promoted already, or a promotion is under way: asking again changes nothing.
            return await ViewAsync(db, candidate, ct);
        }
        if (candidate.Status is CandidateStatus.Rejected or CandidateStatus.Superseded)
        {
            return new Outcome<PromotionView>.Conflict($"'{candidateId}' was {candidate.Status.ToString().ToLowerInvariant()}: it cannot be promoted.");
        }
        if (!decision.Satisfied)
        {
            var unmet = decision.Requirements.Where(r => r.State is not (RequirementStatus.Satisfied or RequirementStatus.Waived))
                .Select(r => $"{r.Kind} {r.Name}{(r.Scenario is null ? "" : $" ({r.Scenario})")}: {r.State.ToString().ToLowerInvariant()} — {r.Detail}");
            return new Outcome<PromotionView>.Conflict($"Not satisfied: {decision.Summary} Unmet: {string.Join("; ", unmet.DefaultIfEmpty("no policy"))}.");
        }

        // Publishing an older compose after a newer one would move users backwards.
        var newer = await db.Candidates.Where(c => c.StreamId == candidate.StreamId && c.Id != candidateId && c.CreatedAt > candidate.CreatedAt
                && (c.Status == CandidateStatus.Promoted || c.Status == CandidateStatus.Promoting))
            .Select(c => new { c.Id, c.Status }).FirstOrDefaultAsync(ct);
        if (newer is not null)
        {
            return new Outcome<PromotionView>.Conflict(
                $"The newer candidate '{newer.Id}' of this stream is {newer.Status.ToString().ToLowerInvariant()}: promoting '{candidateId}' would move users backwards.");
        }

        var now = clock.GetUtcNow();
        var number = (await db.PromotionAttempts.Where(a => a.CandidateId == candidateId).MaxAsync(a => (int?)a.Number, ct) ?? 0) + 1;
        var steps = PromotionPlan.Steps(streams.CurrentValue.TryGetValue(candidate.Stream.Name, out var settings) ? settings.Promotion : []);
        var attempt = new PromotionAttempt
        {
            CandidateId = candidateId,
            Number = number,
            Trigger = actor is null ? PromotionTrigger.Auto : candidate.Status == CandidateStatus.Failed ? PromotionTrigger.Retry : PromotionTrigger.Manual,
            RequestedBy = who,
            Status = PromotionStatus.Pending,
            CreatedAt = now,
            Steps = steps,
        };
        db.PromotionAttempts.Add(attempt);
        var from = candidate.Status;
        candidate.Status = CandidateStatus.Promoting;
        candidate.StatusChangedAt = now;
        candidate.StatusReason = null;
        db.Record(now, who, "promotion.started",
            $"Promotion {number} {(from == CandidateStatus.Failed ? "(a retry) " : "")}started{(actor is null ? " (policy: promote auto)" : "")}: " +
            (steps.Count == 0 ? "no actions configured" : string.Join(", ", steps.Select(s => s.Description))),
            candidateId: candidateId, streamId: candidate.StreamId, data: new { attempt = number, steps = steps.Select(s => s.Description) });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Promotion {Attempt} of {Candidate} requested by {Actor} ({Steps} steps)", number, candidateId, who, steps.Count);
        feed.Publish(new CandidateChange(candidateId, candidate.Stream.Name, "status"));
        try
        {
            await queue.EnqueueAsync(attempt.Id, candidateId, number, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Recorded already: the promotion sweep enqueues an attempt that has no job.
            logger.LogError(e, "Enqueueing promotion {Attempt} of {Candidate} failed; the promotion sweep enqueues it", number, candidateId);
        }
        return await ViewAsync(db, candidate, ct);
    }

    /// <summary>
    /// Promotes an approved candidate whose stream's policy says <c>promote: auto</c>; anything else is left alone.
    /// Called when a decision changes and by the periodic sweep (so an approval during a restart is not missed).
    /// </summary>
    public async Task<bool> AutoPromoteAsync(string candidateId, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var candidate = await db.Candidates.AsNoTracking().Where(c => c.Id == candidateId).Select(c => new { c.Status, c.StreamId }).SingleOrDefaultAsync(ct);
            if (candidate?.Status != CandidateStatus.Approved
                || (await decisions.PolicyAtAsync(db, candidate.StreamId, clock.GetUtcNow(), ct))?.Promote != PromoteMode.Auto)
            {
                return false;
            }
        }
        var outcome = await PromoteAsync(null, candidateId, ct);
        return outcome is Outcome<PromotionView>.Ok;
    }

    /// <summary>Approved candidates of every stream (the sweep's work list for <see cref="AutoPromoteAsync"/>).</summary>
    public async Task<List<string>> ApprovedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Candidates.Where(c => c.Status == CandidateStatus.Approved).OrderBy(c => c.CreatedAt).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>One attempt as its job sees it, or null when it does not exist.</summary>
    public async Task<AttemptState?> AttemptAsync(string candidateId, int number, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PromotionAttempts.AsNoTracking().Where(a => a.CandidateId == candidateId && a.Number == number)
            .Join(db.Candidates, a => a.CandidateId, c => c.Id, (a, c) => new AttemptState(a.Id, a.CandidateId, a.Number, c.Stream.Name, a.Status, a.Error, a.JobId, a.CreatedAt))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>Attempts pending or running, oldest first (the sweep's work list).</summary>
    public async Task<List<AttemptState>> UnfinishedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.PromotionAttempts.AsNoTracking().Where(a => a.Status == PromotionStatus.Pending || a.Status == PromotionStatus.Running)
            .OrderBy(a => a.Id)
            .Join(db.Candidates, a => a.CandidateId, c => c.Id, (a, c) => new AttemptState(a.Id, a.CandidateId, a.Number, c.Stream.Name, a.Status, a.Error, a.JobId, a.CreatedAt))
            .ToListAsync(ct);
    }

    /// <summary>Records that <paramref name="who"/> asked to cancel the attempt; its next run cancels it before any further step.</summary>
    public async Task RequestCancelAsync(long attemptId, string who, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.PromotionAttempts.Where(a => a.Id == attemptId && a.CancelRequestedBy == null)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.CancelRequestedBy, who), ct);
    }

    /// <summary>Cancels a candidate's unfinished promotion: before its next step, or by interrupting the running one.</summary>
    public async Task<Outcome<PromotionView>> CancelAsync(ClaimsPrincipal actor, string candidateId, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<PromotionView>.Forbidden("Cancelling a promotion needs the ReleaseEngineer role or above.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidate = await db.Candidates.Include(c => c.Stream).SingleOrDefaultAsync(c => c.Id == candidateId, ct);
        if (candidate is null)
        {
            return new Outcome<PromotionView>.NotFound($"No candidate '{candidateId}'.");
        }
        var attempt = await db.PromotionAttempts.Where(a => a.CandidateId == candidateId
            && (a.Status == PromotionStatus.Pending || a.Status == PromotionStatus.Running)).SingleOrDefaultAsync(ct);
        if (attempt is null)
        {
            return new Outcome<PromotionView>.Conflict($"'{candidateId}' has no promotion under way to cancel.");
        }
        var who = Actor.NameOf(actor);
        attempt.CancelRequestedBy ??= who;
        db.Record(clock.GetUtcNow(), who, "promotion.cancel", $"Asked to cancel promotion {attempt.Number}", candidateId: candidateId, streamId: candidate.StreamId);
        await db.SaveChangesAsync(ct);
        // Not running here: its job cancels it before the first step (a job is enqueued if it has none).
        if (!runner.Interrupt(attempt.Id) && !queue.IsAlive(attempt.JobId))
        {
            await queue.EnqueueAsync(attempt.Id, candidateId, attempt.Number, ct);
        }
        return await ViewAsync(db, candidate, ct);
    }

    private async Task<Outcome<PromotionView>> RejectCoreAsync(ClaimsPrincipal actor, string candidateId, string? reason, CancellationToken ct)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<PromotionView>.Forbidden("Rejecting needs the ReleaseEngineer role or above.");
        }
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 4000)
        {
            return new FieldErrors().Add("reason", "A reason of at most 4000 characters is required: the people concerned are told it.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidate = await db.Candidates.Include(c => c.Stream).SingleOrDefaultAsync(c => c.Id == candidateId, ct);
        if (candidate is null)
        {
            return new Outcome<PromotionView>.NotFound($"No candidate '{candidateId}'.");
        }
        if (candidate.Status == CandidateStatus.Rejected)
        {
            return await ViewAsync(db, candidate, ct);
        }
        if (candidate.Status is CandidateStatus.Promoted or CandidateStatus.Promoting)
        {
            return new Outcome<PromotionView>.Conflict($"'{candidateId}' is {candidate.Status.ToString().ToLowerInvariant()}: it can no longer be rejected.");
        }
        var now = clock.GetUtcNow();
        candidate.Status = CandidateStatus.Rejected;
        candidate.StatusChangedAt = now;
        candidate.StatusReason = reason.Trim();
        db.Record(now, Actor.NameOf(actor), "candidate.rejected", $"Rejected: {candidate.StatusReason}", candidateId: candidateId, streamId: candidate.StreamId);
        await db.SaveChangesAsync(ct);
        feed.Publish(new CandidateChange(candidateId, candidate.Stream.Name, "status"));
        return await ViewAsync(db, candidate, ct);
    }

    /// <summary>A candidate's promotion attempts with their steps, oldest first (the candidate page's Promotion tab).</summary>
    public async Task<IReadOnlyList<AttemptView>> HistoryAsync(string candidateId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await AttemptsAsync(db, candidateId, ct);
    }

    private static async Task<Outcome<PromotionView>> ViewAsync(AppDbContext db, Candidate candidate, CancellationToken ct) =>
        new PromotionView(candidate.Id, candidate.Status, candidate.StatusReason, candidate.PromotedAt, await AttemptsAsync(db, candidate.Id, ct));

    private static async Task<IReadOnlyList<AttemptView>> AttemptsAsync(AppDbContext db, string candidateId, CancellationToken ct) =>
        (await db.PromotionAttempts.AsNoTracking().Include(a => a.Steps).Where(a => a.CandidateId == candidateId)
            .OrderBy(a => a.Number).ToListAsync(ct)).Select(AttemptView.Of).ToList();
}

/// <summary>An attempt's identity and state, for the job that runs it and the sweep.</summary>
public sealed record AttemptState(long Id, string Candidate, int Number, string Stream, PromotionStatus Status, string? Error, string? JobId,
    DateTimeOffset Created);

public sealed record PromotionView(string Candidate, CandidateStatus Status, string? Reason, DateTimeOffset? PromotedAt, IReadOnlyList<AttemptView> Attempts);

public sealed record AttemptView(int Number, PromotionTrigger Trigger, string RequestedBy, PromotionStatus Status, DateTimeOffset Requested,
    DateTimeOffset? Started, DateTimeOffset? Finished, string? Error, string? Issue, IReadOnlyList<StepView> Steps)
{
    public static AttemptView Of(PromotionAttempt a) => new(a.Number, a.Trigger, a.RequestedBy, a.Status, a.CreatedAt, a.StartedAt, a.FinishedAt,
        a.Error, a.IssueUrl, a.Steps.OrderBy(s => s.Position).Select(s => new StepView(s.Position, s.Action, s.Description, s.Status, s.Tries,
            s.StartedAt, s.FinishedAt, s.Error, s.Output)).ToList());
}

/// <summary>One step of an attempt as the API and the pages show it, with its captured output.</summary>
public sealed record StepView(int Position, string Action, string Description, PromotionStatus Status, int Tries,
    DateTimeOffset? Started, DateTimeOffset? Finished, string? Error, string? Output);

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
using ComposeGate.Web.Features.Events;
using ComposeGate.Web.Live;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Promotion;

/// <summary>
/// Promoting a satisfied candidate (by a release engineer, or by itself under <c>promote: auto</c>) and rejecting
/// one. A promotion is recorded as an attempt; the candidate becomes <c>promoted</c>, older candidates of the
/// stream still being gated become <c>superseded</c>, and the merge requests follow (merged, closed). Streams in
/// this version have no promotion actions to run (publishing, retagging), so the attempt has no steps.
/// </summary>
public sealed class PromotionService(
    IDbContextFactory<AppDbContext> dbFactory,
    DecisionService decisions,
    OutgoingEvents events,
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
        if (candidate.Status == CandidateStatus.Promoted)
        {
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

        var now = clock.GetUtcNow();
        var number = (await db.PromotionAttempts.Where(a => a.CandidateId == candidateId).MaxAsync(a => (int?)a.Number, ct) ?? 0) + 1;
        db.PromotionAttempts.Add(new PromotionAttempt
        {
            CandidateId = candidateId,
            Number = number,
            Trigger = actor is null ? PromotionTrigger.Auto : candidate.Status == CandidateStatus.Failed ? PromotionTrigger.Retry : PromotionTrigger.Manual,
            RequestedBy = who,
            Status = PromotionStatus.Succeeded,
            CreatedAt = now,
            StartedAt = now,
            FinishedAt = now,
        });
        candidate.Status = CandidateStatus.Promoted;
        candidate.StatusChangedAt = now;
        candidate.PromotedAt = now;
        candidate.StatusReason = null;
        db.Record(now, who, "candidate.promoted", $"Promoted {candidateId}{(actor is null ? " (policy: promote auto)" : "")}",
            candidateId: candidateId, streamId: candidate.StreamId, data: new { attempt = number });
        events.Record(db, candidate.StreamId, candidate.Stream.Name, OutgoingEvents.CandidatePromoted, candidateId, new { attempt = number, by = who });

        // Older candidates still being gated will never ship now: set them aside, saying why.
        var superseded = await db.Candidates.Where(c => c.StreamId == candidate.StreamId && c.Id != candidateId
                && CandidateStatuses.Open.Contains(c.Status) && c.CreatedAt < candidate.CreatedAt).ToListAsync(ct);
        foreach (var older in superseded)
        {
            older.Status = CandidateStatus.Superseded;
            older.StatusChangedAt = now;
            older.StatusReason = $"superseded by {candidateId}, promoted first";
            db.Record(now, who, "candidate.superseded", $"Superseded by {candidateId}", candidateId: older.Id, streamId: older.StreamId);
        }
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Promoted {Candidate} (attempt {Attempt}); superseded {Count} older candidates", candidateId, number, superseded.Count);
        foreach (var changed in superseded.Select(c => c.Id).Prepend(candidateId))
        {
            feed.Publish(new CandidateChange(changed, candidate.Stream.Name, "status"));
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

    private static async Task<Outcome<PromotionView>> ViewAsync(AppDbContext db, Candidate candidate, CancellationToken ct)
    {
        var attempts = await db.PromotionAttempts.AsNoTracking().Where(a => a.CandidateId == candidate.Id).OrderBy(a => a.Number)
            .Select(a => new AttemptView(a.Number, a.Trigger, a.RequestedBy, a.Status, a.CreatedAt, a.FinishedAt)).ToListAsync(ct);
        return new PromotionView(candidate.Id, candidate.Status, candidate.StatusReason, candidate.PromotedAt, attempts);
    }
}

public sealed record PromotionView(string Candidate, CandidateStatus Status, string? Reason, DateTimeOffset? PromotedAt, IReadOnlyList<AttemptView> Attempts);

public sealed record AttemptView(int Number, PromotionTrigger Trigger, string RequestedBy, PromotionStatus Status, DateTimeOffset Requested, DateTimeOffset? Finished);

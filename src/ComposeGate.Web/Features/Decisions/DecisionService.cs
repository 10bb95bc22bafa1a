using System.Collections.Concurrent;
using System.Text.Json;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Data;
using ComposeGate.Gating;
using ComposeGate.Policies;
using ComposeGate.Web.Access;
using ComposeGate.Web.Live;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Decisions;

/// <summary>
/// Decisions are computed, never stored by hand: from the stream's policy and the candidate's results, votes,
/// waivers and checklist runs, at any point in time. After every change the decision is recomputed; when it
/// changes (satisfied, or any requirement's state) the change is recorded as an event and open pages hear of it.
/// </summary>
public sealed class DecisionService(IDbContextFactory<AppDbContext> dbFactory, ChangeFeed feed, TimeProvider clock, ILogger<DecisionService> logger)
{
    public const string ChangedKind = "decision.changed";

    // A List, not an array: C# 14 binds array.Contains to a span overload that EF Core 6 cannot translate.
    private static readonly List<CandidateStatus> Open = [CandidateStatus.Received, CandidateStatus.Gating, CandidateStatus.Approved];

    // One recomputation per candidate at a time; requests arriving meanwhile are folded into one more pass.
    // Entries stay (one small object per candidate) so two callers can never hold different states.
    private readonly ConcurrentDictionary<string, RecomputeState> running = new(StringComparer.Ordinal);

    /// <summary>The decision for a candidate now, or as it stood at <paramref name="at"/>; null for an unknown candidate.</summary>
    public async Task<Decision?> EvaluateAsync(string candidateId, DateTimeOffset? at = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var when = at ?? clock.GetUtcNow();
        var candidate = await db.Candidates.AsNoTracking().Where(c => c.Id == candidateId)
            .Select(c => new { c.Id, c.StreamId, Stream = c.Stream.Name, c.CreatedAt }).SingleOrDefaultAsync(ct);
        if (candidate is null)
        {
            return null;
        }
        var policy = await PolicyAtAsync(db, candidate.StreamId, when, ct);
        var facts = await FactsAsync(db, candidate.Id, candidate.Stream, candidate.CreatedAt, when, ct);
        return DecisionEvaluator.Evaluate(policy, facts, when);
    }

    /// <summary>What a draft policy would decide for a candidate now (the policy editor's preview).</summary>
    public async Task<Decision?> PreviewAsync(string candidateId, PolicyDocument draft, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var candidate = await db.Candidates.AsNoTracking().Where(c => c.Id == candidateId)
            .Select(c => new { c.Id, Stream = c.Stream.Name, c.CreatedAt }).SingleOrDefaultAsync(ct);
        return candidate is null ? null
            : DecisionEvaluator.Evaluate(draft, await FactsAsync(db, candidate.Id, candidate.Stream, candidate.CreatedAt, now, ct), now);
    }

    /// <summary>
    /// Recomputes after a change, records the decision when it changed, moves the candidate between gating and
    /// approved, and tells open pages. Concurrent calls for one candidate are coalesced.
    /// </summary>
    public async Task RecomputeAsync(string candidateId, string actor, CancellationToken ct = default)
    {
        var state = running.GetOrAdd(candidateId, _ => new RecomputeState());
        lock (state)
        {
            if (state.Running)
            {
                state.Again = true;
                return;
            }
            state.Running = true;
        }
        try
        {
            while (true)
            {
                await RecomputeOnceAsync(candidateId, actor, ct);
                lock (state)
                {
                    if (!state.Again)
                    {
                        state.Running = false;
                        break;
                    }
                    state.Again = false;
                }
            }
        }
        catch
        {
            lock (state)
            {
                state.Running = false;
                state.Again = false;
            }
            throw;
        }
    }

    /// <summary>Recomputes every candidate of a stream that is still being gated (after a policy change).</summary>
    public async Task RecomputeStreamAsync(int streamId, string actor, CancellationToken ct = default)
    {
        foreach (var id in await OpenCandidatesAsync(streamId, ct))
        {
            await RecomputeAsync(id, actor, ct);
        }
    }

    /// <summary>Recomputes every open candidate: waivers expire and soak times pass without anyone acting.</summary>
    public async Task RecomputeOpenAsync(CancellationToken ct = default)
    {
        foreach (var id in await OpenCandidatesAsync(null, ct))
        {
            await RecomputeAsync(id, Actor.System, ct);
        }
    }

    private async Task<List<string>> OpenCandidatesAsync(int? streamId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Candidates.Where(c => Open.Contains(c.Status) && (streamId == null || c.StreamId == streamId))
            .Select(c => c.Id).ToListAsync(ct);
    }

    private async Task RecomputeOnceAsync(string candidateId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidate = await db.Candidates.Include(c => c.Stream).SingleOrDefaultAsync(c => c.Id == candidateId, ct);
        if (candidate is null)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var policy = await PolicyAtAsync(db, candidate.StreamId, now, ct);
        var decision = DecisionEvaluator.Evaluate(policy, await FactsAsync(db, candidate.Id, candidate.Stream.Name, candidate.CreatedAt, now, ct), now);

        var signature = Signature(decision);
        var last = await db.AuditEvents.Where(e => e.CandidateId == candidateId && e.Kind == ChangedKind)
            .OrderByDescending(e => e.Id).Select(e => e.Data).FirstOrDefaultAsync(ct);
        var previous = last is null ? null : JsonSerializer.Deserialize<RecordedDecision>(last, JsonSerializerOptions.Web);
        var changed = previous?.Signature != signature;
        if (changed)
        {
            db.Record(now, actor, ChangedKind,
                $"Decision: {(decision.Satisfied ? "satisfied" : "not satisfied")} — {decision.Summary}",
                candidateId: candidateId, streamId: candidate.StreamId,
                data: new RecordedDecision(decision.Satisfied, decision.Summary, signature,
                    decision.Requirements.Select(r => new RecordedRequirement(r.Kind, r.Name, r.Scenario, r.State.ToString().ToLowerInvariant(), r.Detail)).ToList(),
                    previous is null ? null : new PreviousDecision(previous.Satisfied, previous.Summary)));
        }

        candidate.DecisionSatisfied = decision.Satisfied;
        candidate.DecisionSummary = decision.Summary;
        var status = candidate.Status switch
        {
            CandidateStatus.Received or CandidateStatus.Gating when decision.Satisfied => CandidateStatus.Approved,
            CandidateStatus.Received => CandidateStatus.Gating,
            CandidateStatus.Approved when !decision.Satisfied => CandidateStatus.Gating,
            var unchanged => unchanged,
        };
        if (status != candidate.Status)
        {
            db.Record(now, actor, "candidate.status", $"Status {candidate.Status.ToString().ToLowerInvariant()} → {status.ToString().ToLowerInvariant()}",
                candidateId: candidateId, streamId: candidate.StreamId, data: new { from = candidate.Status, to = status });
            candidate.Status = status;
            candidate.StatusChangedAt = now;
            changed = true;
        }
        await db.SaveChangesAsync(ct);
        if (changed)
        {
            logger.LogInformation("Decision for {Candidate}: {Summary}", candidateId, decision.Summary);
        }
        feed.Publish(new CandidateChange(candidateId, candidate.Stream.Name, changed ? "decision" : "facts"));
    }

    /// <summary>The policy version in force at <paramref name="at"/>: the newest one written by then.</summary>
    public static async Task<PolicyDocument?> PolicyAtAsync(AppDbContext db, int streamId, DateTimeOffset at, CancellationToken ct)
    {
        var yaml = await db.Policies.Where(p => p.StreamId == streamId && p.CreatedAt <= at)
            .OrderByDescending(p => p.Version).Select(p => p.Yaml).FirstOrDefaultAsync(ct);
        if (yaml is null)
        {
            return null;
        }
        var templates = await db.ChecklistTemplates.Select(t => t.Name).Distinct().ToListAsync(ct);
        // Stored policies were validated when written; templates are never deleted, so this parses.
        return PolicyParser.Parse(yaml, new PolicyContext(templates.ToHashSet(StringComparer.Ordinal))).Policy;
    }

    private static async Task<DecisionFacts> FactsAsync(AppDbContext db, string candidateId, string stream, DateTimeOffset createdAt, DateTimeOffset at, CancellationToken ct)
    {
        var results = await db.Results.AsNoTracking().Where(r => r.CandidateId == candidateId && r.CreatedAt <= at)
            .Select(r => new ResultFact(r.Id, r.Testcase, r.Scenario, r.Outcome, r.Reporter, r.CreatedAt)).ToListAsync(ct);
        var votes = await db.Votes.AsNoTracking().Where(v => v.CandidateId == candidateId && v.CreatedAt <= at)
            .Select(v => new { v.Id, v.Voter, v.Value, v.Role, v.Comment, v.CreatedAt }).ToListAsync(ct);
        var waivers = await db.Waivers.AsNoTracking().Where(w => w.CandidateId == candidateId && w.CreatedAt <= at)
            .Select(w => new WaiverFact(w.Id, w.Testcase, w.Scenario, w.Reason, w.CreatedBy, w.CreatedAt, w.ExpiresAt, w.RevokedAt)).ToListAsync(ct);
        var runs = await db.ChecklistRuns.AsNoTracking().Where(r => r.CandidateId == candidateId && r.StartedAt <= at)
            .Include(r => r.Template).ThenInclude(t => t.Items).Include(r => r.ItemStates).AsSplitQuery().ToListAsync(ct);
        return new DecisionFacts(stream, createdAt, results,
            votes.Select(v => new VoteFact(v.Id, v.Voter, v.Value, [v.Role], v.Comment, v.CreatedAt)).ToList(),
            waivers,
            runs.Select(ToFact).ToList());
    }

    internal static ChecklistRunFact ToFact(ComposeGate.Checklists.ChecklistRun run)
    {
        var required = run.Template.Items.Where(i => i.Required).Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        return new ChecklistRunFact(run.Id, run.Template.Name, run.Template.Version, run.StartedBy, run.StartedAt, required.Count,
            required.ToList(), run.Template.Items.Count,
            run.ItemStates.OrderBy(s => s.Id)
                .Select(s => new ChecklistItemFact(s.ItemKey, required.Contains(s.ItemKey), s.State, s.RecordedBy, s.RecordedAt)).ToList());
    }

    private static string Signature(Decision decision) =>
        (decision.Satisfied ? "satisfied" : "unsatisfied") + "|" +
        string.Join("|", decision.Requirements.Select(r => $"{r.Kind}:{r.Name}:{r.Scenario}:{r.State}"));

    private sealed class RecomputeState
    {
        public bool Running;
        public bool Again;
    }

    /// <summary>What a decision.changed event carries, with the decision before it (as Greenwave announces).</summary>
    public sealed record RecordedDecision(bool Satisfied, string Summary, string Signature, IReadOnlyList<RecordedRequirement> Requirements,
        PreviousDecision? Previous);

    public sealed record RecordedRequirement(string Kind, string Name, string? Scenario, string State, string Detail);

    public sealed record PreviousDecision(bool Satisfied, string Summary);
}

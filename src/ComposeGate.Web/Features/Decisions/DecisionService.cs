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
public sealed class DecisionService(
    IDbContextFactory<AppDbContext> dbFactory,
    ChangeFeed feed,
    Events.OutgoingEvents events,
    TimeProvider clock,
    ILogger<DecisionService> logger)
{
    public const string ChangedKind = "decision.changed";

    private static readonly TimeSpan MinFollowUpDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxFollowUpDelay = TimeSpan.FromSeconds(1);

    // The latest result of each (testcase, scenario, reporter) per candidate, kept current by the result writer:
    // a bot posting thousands of results must not make every decision re-read them all.
    private readonly ConcurrentDictionary<string, LatestResults> latestResults = new(StringComparer.Ordinal);

    // Stored policies never change (a new one is a new version), so each is parsed once.
    private readonly ConcurrentDictionary<(int Stream, int Version), PolicyDocument?> parsed = new();

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
        var facts = await FactsAsync(db, candidate.Id, candidate.Stream, candidate.CreatedAt, when, current: at is null, ct);
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
            : DecisionEvaluator.Evaluate(draft, await FactsAsync(db, candidate.Id, candidate.Stream, candidate.CreatedAt, now, current: true, ct), now);
    }

    /// <summary>
    /// Recomputes after a change, records the decision when it changed, moves the candidate between gating and
    /// approved, and tells open pages. While a recomputation of the candidate runs, further requests are folded
    /// into one follow-up pass in the background, so a burst of results costs a few passes, not one each.
    /// </summary>
    public async Task RecomputeAsync(string candidateId, string actor, CancellationToken ct = default)
    {
        var state = running.GetOrAdd(candidateId, _ => new RecomputeState());
        lock (state)
        {
            // A pass is running, or one is already due: it will see this change too.
            if (state.Running || state.FollowUpDue)
            {
                state.Again = true;
                return;
            }
            state.Running = true;
        }
        var again = false;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await RecomputeOnceAsync(candidateId, actor, ct);
        }
        finally
        {
            lock (state)
            {
                state.Running = false;
                again = state.Again;
                state.Again = false;
                state.FollowUpDue = again;
            }
            if (again)
            {
                // The busier the candidate, the more of a burst one pass covers: recomputation never takes
                // more than about a fifth of the time.
                var pause = TimeSpan.FromTicks(Math.Clamp(watch.Elapsed.Ticks * 4, MinFollowUpDelay.Ticks, MaxFollowUpDelay.Ticks));
                _ = FollowUpAsync(candidateId, actor, pause);
            }
        }
    }

    private async Task FollowUpAsync(string candidateId, string actor, TimeSpan pause)
    {
        try
        {
            // A moment's pause lets the rest of a burst arrive, so one pass covers it.
            await Task.Delay(pause);
            var state = running[candidateId];
            lock (state)
            {
                state.FollowUpDue = false;
            }
            await RecomputeAsync(candidateId, actor);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Recomputing the decision of {Candidate} failed", candidateId);
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
        return await db.Candidates.Where(c => CandidateStatuses.Open.Contains(c.Status) && (streamId == null || c.StreamId == streamId))
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
        var decision = DecisionEvaluator.Evaluate(policy, await FactsAsync(db, candidate.Id, candidate.Stream.Name, candidate.CreatedAt, now, current: true, ct), now);

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
            events.Record(db, candidate.StreamId, candidate.Stream.Name, Events.OutgoingEvents.DecisionChanged, candidateId, new
            {
                decision.Satisfied,
                decision.Summary,
                previous = previous is null ? null : new { previous.Satisfied, previous.Summary },
                requirements = decision.Requirements.Select(r => new { r.Kind, r.Name, r.Scenario, state = r.State.ToString().ToLowerInvariant(), r.Detail }),
            });
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
    public async Task<PolicyDocument?> PolicyAtAsync(AppDbContext db, int streamId, DateTimeOffset at, CancellationToken ct)
    {
        var version = await db.Policies.Where(p => p.StreamId == streamId && p.CreatedAt <= at)
            .OrderByDescending(p => p.Version).Select(p => (int?)p.Version).FirstOrDefaultAsync(ct);
        if (version is null)
        {
            return null;
        }
        if (parsed.TryGetValue((streamId, version.Value), out var cached))
        {
            return cached;
        }
        var yaml = await db.Policies.Where(p => p.StreamId == streamId && p.Version == version).Select(p => p.Yaml).SingleAsync(ct);
        var templates = await db.ChecklistTemplates.Select(t => t.Name).Distinct().ToListAsync(ct);
        // Stored policies were validated when written; templates are never deleted, so this parses.
        var policy = PolicyParser.Parse(yaml, new PolicyContext(templates.ToHashSet(StringComparer.Ordinal))).Policy;
        parsed[(streamId, version.Value)] = policy;
        return policy;
    }

    /// <summary>Called by the result writer after it committed: keeps the latest-result caches current.</summary>
    public void ResultsCommitted(IEnumerable<Result> results)
    {
        foreach (var result in results)
        {
            if (latestResults.TryGetValue(result.CandidateId, out var latest))
            {
                latest.Add(new ResultFact(result.Id, result.Testcase, result.Scenario, result.Outcome, result.Reporter, result.CreatedAt));
            }
        }
    }

    private async Task<DecisionFacts> FactsAsync(AppDbContext db, string candidateId, string stream, DateTimeOffset createdAt, DateTimeOffset at,
        bool current, CancellationToken ct)
    {
        IReadOnlyList<ResultFact> results;
        if (current)
        {
            var latest = latestResults.GetOrAdd(candidateId, _ => new LatestResults());
            results = await latest.GetAsync(() => LatestResultsAsync(db, candidateId, DateTimeOffset.MaxValue, ct));
            results = results.Where(r => r.CreatedAt <= at).ToList();
        }
        else
        {
            results = await LatestResultsAsync(db, candidateId, at, ct);
        }
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

    /// <summary>
    /// Only the latest result of each (testcase, scenario, reporter) can matter: results are append-only and
    /// later ones have higher ids. This keeps a decision cheap however many results a candidate collects.
    /// </summary>
    private static async Task<List<ResultFact>> LatestResultsAsync(AppDbContext db, string candidateId, DateTimeOffset at, CancellationToken ct)
    {
        // One uncorrelated IN (SELECT MAX(Id) … GROUP BY …): EF Core 6 made this a correlated subquery, quadratic in the results.
        var latest = db.Results.Where(r => r.CandidateId == candidateId && r.CreatedAt <= at)
            .GroupBy(r => new { r.Testcase, r.Scenario, r.Reporter })
            .Select(g => g.Max(r => r.Id));
        return await db.Results.AsNoTracking().Where(r => latest.Contains(r.Id))
            .Select(r => new ResultFact(r.Id, r.Testcase, r.Scenario, r.Outcome, r.Reporter, r.CreatedAt)).ToListAsync(ct);
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

    /// <summary>One candidate's latest results: loaded once from the database, then added to as results commit.</summary>
    private sealed class LatestResults
    {
        private readonly SemaphoreSlim loading = new(1, 1);
        private readonly Lock gate = new();
        private Dictionary<(string, string, string), ResultFact>? latest;
        // Results committed while the load runs: the load may or may not have seen them.
        private List<ResultFact>? arrivedWhileLoading;

        public async Task<IReadOnlyList<ResultFact>> GetAsync(Func<Task<List<ResultFact>>> load)
        {
            lock (gate)
            {
                if (latest is not null)
                {
                    return latest.Values.ToList();
                }
            }
            await loading.WaitAsync();
            try
            {
                lock (gate)
                {
                    if (latest is not null)
                    {
                        return latest.Values.ToList();
                    }
                    arrivedWhileLoading = [];
                }
                var loaded = await load();
                lock (gate)
                {
                    latest = new Dictionary<(string, string, string), ResultFact>();
                    foreach (var fact in loaded.Concat(arrivedWhileLoading!))
                    {
                        Keep(fact);
                    }
                    arrivedWhileLoading = null;
                    return latest.Values.ToList();
                }
            }
            finally
            {
                loading.Release();
            }
        }

        public void Add(ResultFact fact)
        {
            lock (gate)
            {
                if (latest is not null)
                {
                    Keep(fact);
                }
                else
                {
                    arrivedWhileLoading?.Add(fact);
                }
            }
        }

        private void Keep(ResultFact fact)
        {
            var key = (fact.Testcase, fact.Scenario, fact.Reporter);
            if (!latest!.TryGetValue(key, out var known) || known.Id < fact.Id)
            {
                latest[key] = fact;
            }
        }
    }

    private sealed class RecomputeState
    {
        public bool Running;
        public bool Again;
        public bool FollowUpDue;
    }

    /// <summary>What a decision.changed event carries, with the decision before it (as Greenwave announces).</summary>
    public sealed record RecordedDecision(bool Satisfied, string Summary, string Signature, IReadOnlyList<RecordedRequirement> Requirements,
        PreviousDecision? Previous);

    public sealed record RecordedRequirement(string Kind, string Name, string? Scenario, string State, string Detail);

    public sealed record PreviousDecision(bool Satisfied, string Summary);
}

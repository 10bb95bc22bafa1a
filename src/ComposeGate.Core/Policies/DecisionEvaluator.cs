using System.Globalization;
using System.Text;
using ComposeGate.Access;
using ComposeGate.Checklists;
using ComposeGate.Gating;

namespace ComposeGate.Policies;

/// <summary>A reported test result. <paramref name="Scenario"/> is "" when the result is for the whole candidate.</summary>
public sealed record ResultFact(long Id, string Testcase, string Scenario, Outcome Outcome, string Reporter, DateTimeOffset CreatedAt);

/// <summary>A vote: <paramref name="Value"/> +1 or −1; <paramref name="VoterRoles"/> are the roles the voter held when voting.</summary>
public sealed record VoteFact(long Id, string Voter, int Value, IReadOnlyList<string> VoterRoles, string Comment, DateTimeOffset CreatedAt);

/// <summary>A waiver of a testcase. <paramref name="Scenario"/> is "" when it covers every scenario.</summary>
public sealed record WaiverFact(
    long Id,
    string Testcase,
    string Scenario,
    string Reason,
    string By,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt);

/// <summary>One append-only entry of a checklist run: the latest entry per item key counts.</summary>
public sealed record ChecklistItemFact(string Key, bool Required, ChecklistItemOutcome State, string By, DateTimeOffset At);

/// <summary>
/// A checklist run with its template version's shape (<paramref name="RequiredKeys"/>,
/// <paramref name="RequiredItemCount"/>, <paramref name="ItemCount"/>) and every entry recorded so far.
/// </summary>
public sealed record ChecklistRunFact(
    long RunId,
    string Template,
    int Version,
    string StartedBy,
    DateTimeOffset StartedAt,
    int RequiredItemCount,
    IReadOnlyList<string> RequiredKeys,
    int ItemCount,
    IReadOnlyList<ChecklistItemFact> Entries);

/// <summary>Everything recorded about one candidate that a decision can depend on.</summary>
public sealed record DecisionFacts(
    string Stream,
    DateTimeOffset CandidateCreatedAt,
    IReadOnlyList<ResultFact> Results,
    IReadOnlyList<VoteFact> Votes,
    IReadOnlyList<WaiverFact> Waivers,
    IReadOnlyList<ChecklistRunFact> ChecklistRuns);

/// <summary>The state of one requirement (the API's lower-case <c>state</c>).</summary>
public enum RequirementStatus
{
    Satisfied,
    Missing,
    Pending,
    Failed,
    Errored,
    Waived,
}

/// <summary>One requirement's state and why.</summary>
/// <param name="Kind"><c>testcase</c>, <c>checklist</c>, <c>votes</c> or <c>soak</c>.</param>
/// <param name="Name">The testcase name, the checklist template name, <c>votes</c> or <c>soak</c>.</param>
/// <param name="Scenario">The testcase requirement's scenario, if it has one.</param>
/// <param name="State">The state.</param>
/// <param name="Detail">Why, in a short sentence fragment (which result, how many items, who blocked, time left...).</param>
/// <param name="Waivable">Whether a waiver can accept this requirement (testcases and checklists).</param>
/// <param name="WaiverId">The waiver that accepted it, when <paramref name="State"/> is <see cref="RequirementStatus.Waived"/>.</param>
public sealed record RequirementState(
    string Kind,
    string Name,
    string? Scenario,
    RequirementStatus State,
    string Detail,
    bool Waivable,
    long? WaiverId);

/// <summary>A computed gating decision: satisfied or not, with every requirement's state in policy order.</summary>
public sealed record Decision(bool Satisfied, string Summary, IReadOnlyList<RequirementState> Requirements, PromoteMode Promote);

/// <summary>
/// Computes a candidate's gating decision from a policy and the recorded facts, as it stood at a point in
/// time — the Greenwave model: results (ResultsDB), votes and waivers (WaiverDB) are append-only facts,
/// and the decision is always computed from them, never stored. Pure: no I/O, no clock.
/// <para>
/// <b>Time.</b> Only facts at or before <c>at</c> exist: results, votes and waivers by <c>CreatedAt</c>,
/// checklist runs by <c>StartedAt</c>, checklist entries by <c>At</c>. A waiver counts when it was
/// created at or before <c>at</c>, was not revoked by then (<c>RevokedAt</c> null or after <c>at</c>)
/// and had not expired (<c>ExpiresAt</c> null or after <c>at</c>). So evaluating with a past <c>at</c>
/// answers "as it stood then".
/// </para>
/// <para>
/// <b>"Latest".</b> The greatest <c>CreatedAt</c>, ties broken by the greatest <c>Id</c> (results, votes,
/// waivers); for checklist runs the greatest <c>StartedAt</c>, then <c>RunId</c>; for checklist entries
/// the greatest <c>At</c>, ties broken by the later position in the list (entries are append-only).
/// </para>
/// <para>
/// <b>Outcomes.</b> PASSED and INFO pass; QUEUED and RUNNING are pending; ERROR is errored; FAILED and
/// NEEDS_INSPECTION fail.
/// </para>
/// <para>
/// <b>testcase.</b> Only results of that testcase count, and only those from the listed reporters when
/// the requirement lists any. With a scenario, the latest result of that scenario decides. Without one,
/// the latest result of <i>each</i> reported scenario (the empty scenario included) must pass, and the
/// state is the worst of them: failed &gt; errored &gt; pending &gt; satisfied. No result at all is
/// missing.
/// </para>
/// <para>
/// <b>checklist.</b> Runs of that template, any version; the run started last decides. The latest entry
/// per item key counts. Any required item failed → failed; every required item passed → satisfied;
/// otherwise pending, "N/M items" (N items with a state, M items in the run's template version). No run
/// → missing. The required items are the run's <c>RequiredKeys</c> plus any entry marked required, and
/// at least <c>RequiredItemCount</c> of them must have passed.
/// </para>
/// <para>
/// <b>votes.</b> Each voter's latest vote counts (a value of 0 withdraws a vote). Any latest −1, from
/// anyone, blocks (failed). Otherwise the latest +1 of voters whose highest role satisfies the required
/// role are counted: at least <c>min</c> → satisfied, none → missing, some → pending. Not waivable.
/// </para>
/// <para>
/// <b>soak.</b> Satisfied once <c>at − CandidateCreatedAt ≥ duration</c>, else pending with the time
/// left. Not waivable.
/// </para>
/// <para>
/// <b>Waivers.</b> testcase and checklist requirements are waivable; a checklist is waived through the
/// testcase <c>checklist.&lt;template&gt;</c>. An active waiver of the testcase whose scenario is "" or
/// equals the requirement's scenario turns any state but satisfied into waived; among several, the
/// latest created is the one reported. For a testcase requirement without a scenario, a waiver of one
/// scenario accepts that scenario's latest result: when every scenario that does not pass is waived
/// that way, the requirement is waived too (a waiver with scenario "" accepts them all, and a missing
/// requirement).
/// </para>
/// <para>
/// <b>Decision.</b> Satisfied when every requirement is satisfied or waived (no requirements: satisfied;
/// no policy: never satisfied, no requirements, promote manual). The summary lists each unmet requirement briefly, in policy order, and
/// marks "(waivable)" those a waiver could accept now (missing, failed or errored).
/// </para>
/// <para>
/// <b>Cost.</b> One pass over each fact list to index it (results by testcase), then work proportional
/// to the facts each requirement touches.
/// </para>
/// </summary>
public static class DecisionEvaluator
{
    public const string TestcaseKind = "testcase";
    public const string ChecklistKind = "checklist";
    public const string VotesKind = "votes";
    public const string SoakKind = "soak";

    public const string ChecklistTestcasePrefix = "checklist.";

    /// <summary>The testcase through which checklist <paramref name="template"/> is reported and waived.</summary>
    public static string ChecklistTestcase(string template) => ChecklistTestcasePrefix + template;

    /// <summary>Evaluates <paramref name="policy"/> against <paramref name="facts"/> as they stood at <paramref name="at"/>.</summary>
    public static Decision Evaluate(PolicyDocument? policy, DecisionFacts facts, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (policy is null)
        {
            return new Decision(false, $"No policy for stream '{facts.Stream}': nothing can pass.", [], PromoteMode.Manual);
        }

        var index = new FactIndex(policy, facts, at);
        var states = new List<RequirementState>(policy.Requires.Count);
        var briefs = new List<string>();
        foreach (var requirement in policy.Requires)
        {
            var (state, brief) = requirement switch
            {
                TestcaseRequirement testcase => EvaluateTestcase(testcase, index),
                ChecklistRequirement checklist => EvaluateChecklist(checklist, index, at),
                VotesRequirement votes => EvaluateVotes(votes, index),
                SoakRequirement soak => EvaluateSoak(soak, facts.CandidateCreatedAt, at),
                _ => throw new ArgumentException($"Unsupported requirement {requirement.GetType().Name}.", nameof(policy)),
            };
            states.Add(state);
            if (!IsMet(state.State))
            {
                briefs.Add(state.Waivable && IsWaivableNow(state.State) ? $"{brief} (waivable)" : brief);
            }
        }

        var total = states.Count;
        var met = total - briefs.Count;
        var satisfied = briefs.Count == 0;
        string summary;
        if (total == 0)
        {
            summary = "No requirements: nothing to wait for.";
        }
        else if (satisfied)
        {
            var waived = states.Count(s => s.State == RequirementStatus.Waived);
            var suffix = waived > 0 ? $" ({waived} waived)" : "";
            summary = total == 1 ? $"1 requirement met{suffix}." : $"All {total} requirements met{suffix}.";
        }
        else
        {
            summary = $"{met} of {total} {(total == 1 ? "requirement" : "requirements")} met: {string.Join(", ", briefs)}";
        }
        return new Decision(satisfied, summary, states, policy.Promote);
    }

    private static bool IsMet(RequirementStatus state) => state is RequirementStatus.Satisfied or RequirementStatus.Waived;

    private static bool IsWaivableNow(RequirementStatus state) =>
        state is RequirementStatus.Missing or RequirementStatus.Failed or RequirementStatus.Errored;

    // ---------------------------------------------------------------------------------------------
    // testcase

    private static (RequirementState, string) EvaluateTestcase(TestcaseRequirement requirement, FactIndex index)
    {
        var name = requirement.Testcase;
        var scenario = string.IsNullOrEmpty(requirement.Scenario) ? null : requirement.Scenario;
        var reporters = requirement.Reporters.Count == 0 ? null : requirement.Reporters;

        // The latest counted result per scenario (only the requirement's scenario when it has one).
        var latest = new Dictionary<string, ResultFact>(StringComparer.Ordinal);
        var ignored = 0;
        foreach (var result in index.ResultsOf(name))
        {
            if (scenario is not null && (result.Scenario ?? "") != scenario)
            {
                continue;
            }
            if (reporters is not null && !reporters.Contains(result.Reporter, StringComparer.Ordinal))
            {
                ignored++;
                continue;
            }
            var key = result.Scenario ?? "";
            if (!latest.TryGetValue(key, out var current) || IsLater(result, current))
            {
                latest[key] = result;
            }
        }

        var brief = scenario is null ? name : $"{name} ({scenario})";
        RequirementState Make(RequirementStatus state, string detail, long? waiverId = null) =>
            new(TestcaseKind, name, scenario, state, detail, true, waiverId);

        if (latest.Count == 0)
        {
            var detail = "no result yet";
            if (reporters is not null)
            {
                detail += $" from {string.Join(", ", reporters)}";
                if (ignored > 0)
                {
                    detail += $" ({ignored} {Plural(ignored, "result")} from other reporters not counted)";
                }
            }
            if (index.WaiverFor(name, scenario ?? "") is { } waiver)
            {
                return (Make(RequirementStatus.Waived, WaivedDetail(waiver), waiver.Id), brief);
            }
            return (Make(RequirementStatus.Missing, detail), $"{brief} missing");
        }

        // Scenarios whose latest result does not pass, worst first, then most recent first.
        var unmet = latest.Values
            .Select(r => (Result: r, State: StateOf(r.Outcome)))
            .Where(x => x.State != RequirementStatus.Satisfied)
            .OrderByDescending(x => Severity(x.State))
            .ThenByDescending(x => x.Result.CreatedAt)
            .ThenByDescending(x => x.Result.Id)
            .ToList();
        var showScenario = scenario is null;

        if (unmet.Count == 0)
        {
            var newest = latest.Values.Aggregate((a, b) => IsLater(a, b) ? a : b);
            var detail = latest.Count == 1
                ? Describe(newest, showScenario)
                : $"all {latest.Count} scenarios passed; latest {Describe(newest, showScenario)}";
            return (Make(RequirementStatus.Satisfied, detail), brief);
        }

        // Waivers: each unmet scenario may be accepted by a waiver of its own scenario or of every scenario.
        var waivers = unmet.Select(x => index.WaiverFor(name, x.Result.Scenario ?? "")).ToList();
        if (waivers.All(w => w is not null))
        {
            var used = waivers.Select(w => w!).DistinctBy(w => w.Id).ToList();
            var detail = WaivedDetail(used[0]) + string.Concat(used.Skip(1).Select(w => $"; also {WaivedDetail(w)}"));
            return (Make(RequirementStatus.Waived, detail, used[0].Id), brief);
        }

        // Only what no waiver accepts decides the state.
        var open = unmet.Where((_, i) => waivers[i] is null).ToList();
        var worst = open[0];
        var text = new StringBuilder(Describe(worst.Result, showScenario));
        const int listed = 5;
        var others = open.Skip(1).ToList();
        if (others.Count > 0)
        {
            text.Append("; also ");
            text.Append(string.Join(", ", others.Take(listed).Select(x => $"{OutcomeName(x.Result.Outcome)} ({ScenarioLabel(x.Result.Scenario)})")));
            if (others.Count > listed)
            {
                text.Append(CultureInfo.InvariantCulture, $" and {others.Count - listed} more");
            }
        }
        var waivedCount = unmet.Count - open.Count;
        if (waivedCount > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {waivedCount} waived {Plural(waivedCount, "scenario")}");
        }
        return (Make(worst.State, text.ToString()), $"{brief} {StateWord(worst.State)}");
    }

    private static RequirementStatus StateOf(Outcome outcome) => outcome switch
    {
        Outcome.Passed or Outcome.Info => RequirementStatus.Satisfied,
        Outcome.Queued or Outcome.Running => RequirementStatus.Pending,
        Outcome.Error => RequirementStatus.Errored,
        _ => RequirementStatus.Failed,
    };

    private static int Severity(RequirementStatus state) => state switch
    {
        RequirementStatus.Failed => 3,
        RequirementStatus.Errored => 2,
        RequirementStatus.Pending => 1,
        _ => 0,
    };

    private static bool IsLater(ResultFact a, ResultFact b) =>
        a.CreatedAt > b.CreatedAt || (a.CreatedAt == b.CreatedAt && a.Id > b.Id);

    private static string Describe(ResultFact result, bool showScenario)
    {
        var scenario = showScenario && !string.IsNullOrEmpty(result.Scenario) ? $" ({result.Scenario})" : "";
        return $"{OutcomeName(result.Outcome)}{scenario} by {result.Reporter} at {Time(result.CreatedAt)}";
    }

    private static string ScenarioLabel(string? scenario) => string.IsNullOrEmpty(scenario) ? "no scenario" : scenario;

    /// <summary>The ResultsDB spelling of an outcome: PASSED, INFO, FAILED, NEEDS_INSPECTION, ERROR, QUEUED, RUNNING.</summary>
    public static string OutcomeName(Outcome outcome) => outcome switch
    {
        Outcome.Passed => "PASSED",
        Outcome.Info => "INFO",
        Outcome.Failed => "FAILED",
        Outcome.NeedsInspection => "NEEDS_INSPECTION",
        Outcome.Error => "ERROR",
        Outcome.Queued => "QUEUED",
        Outcome.Running => "RUNNING",
        _ => outcome.ToString().ToUpperInvariant(),
    };

    // ---------------------------------------------------------------------------------------------
    // checklist

    private static (RequirementState, string) EvaluateChecklist(ChecklistRequirement requirement, FactIndex index, DateTimeOffset at)
    {
        var template = requirement.Template;
        var brief = $"checklist {template}";
        RequirementState Make(RequirementStatus state, string detail, long? waiverId = null) =>
            new(ChecklistKind, template, null, state, detail, true, waiverId);

        var run = index.LatestRunOf(template);
        RequirementStatus status;
        string detail;
        if (run is null)
        {
            (status, detail) = (RequirementStatus.Missing, "no run yet");
        }
        else
        {
            (status, detail) = ChecklistState(run, at);
        }

        if (status != RequirementStatus.Satisfied && index.WaiverFor(ChecklistTestcase(template), "") is { } waiver)
        {
            return (Make(RequirementStatus.Waived, WaivedDetail(waiver), waiver.Id), brief);
        }
        var summary = status switch
        {
            RequirementStatus.Pending => $"{brief} {detail}",
            _ => $"{brief} {StateWord(status)}",
        };
        return (Make(status, detail), summary);
    }

    private static (RequirementStatus, string) ChecklistState(ChecklistRunFact run, DateTimeOffset at)
    {
        var latest = new Dictionary<string, ChecklistItemFact>(StringComparer.Ordinal);
        var required = new List<string>();
        var requiredSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in run.RequiredKeys)
        {
            if (requiredSet.Add(key))
            {
                required.Add(key);
            }
        }
        foreach (var entry in run.Entries)
        {
            if (entry.At > at)
            {
                continue;
            }
            if (!latest.TryGetValue(entry.Key, out var current) || entry.At >= current.At)
            {
                latest[entry.Key] = entry;
            }
            if (entry.Required && requiredSet.Add(entry.Key))
            {
                required.Add(entry.Key);
            }
        }

        var failed = required
            .Where(k => latest.TryGetValue(k, out var e) && e.State == ChecklistItemOutcome.Failed)
            .Select(k => latest[k])
            .ToList();
        if (failed.Count == 1)
        {
            var item = failed[0];
            return (RequirementStatus.Failed, $"required item '{item.Key}' failed by {item.By} at {Time(item.At)}");
        }
        if (failed.Count > 1)
        {
            return (RequirementStatus.Failed, $"required items {string.Join(", ", failed.Select(f => $"'{f.Key}'"))} failed");
        }

        var progress = $"{latest.Count}/{run.ItemCount} items";
        var passed = required.Count(k => latest.TryGetValue(k, out var e) && e.State == ChecklistItemOutcome.Passed);
        if (passed == required.Count && passed >= run.RequiredItemCount)
        {
            return (RequirementStatus.Satisfied,
                $"all {passed} required {Plural(passed, "item")} passed ({progress}, run {run.RunId} by {run.StartedBy})");
        }

        var skipped = required
            .Where(k => latest.TryGetValue(k, out var e) && e.State == ChecklistItemOutcome.Skipped)
            .ToList();
        return skipped.Count == 0
            ? (RequirementStatus.Pending, progress)
            : (RequirementStatus.Pending,
                $"{progress}; required {Plural(skipped.Count, "item")} {string.Join(", ", skipped.Select(k => $"'{k}'"))} skipped");
    }

    // ---------------------------------------------------------------------------------------------
    // votes

    private static (RequirementState, string) EvaluateVotes(VotesRequirement requirement, FactIndex index)
    {
        RequirementState Make(RequirementStatus state, string detail) =>
            new(VotesKind, VotesKind, null, state, detail, false, null);

        var latest = index.LatestVotes;
        var blockers = latest.Where(v => v.Value < 0).ToList();
        if (blockers.Count > 0)
        {
            var detail = "blocked by " + string.Join("; ", blockers.Select(v =>
                string.IsNullOrWhiteSpace(v.Comment) ? $"-1 from {v.Voter}" : $"-1 from {v.Voter}: {v.Comment}"));
            var brief = $"votes blocked by -1 from {string.Join(", ", blockers.Select(v => v.Voter))}";
            return (Make(RequirementStatus.Failed, detail), brief);
        }

        if (!Roles.IsKnown(requirement.Role))
        {
            return (Make(RequirementStatus.Failed, $"unknown role '{requirement.Role}' in the policy"), "votes unknown role");
        }

        var positive = latest.Where(v => v.Value > 0).ToList();
        var counted = positive
            .Where(v => Roles.Highest(v.VoterRoles) is { } highest && Roles.Satisfies(highest, requirement.Role))
            .ToList();
        var notCounted = positive.Count - counted.Count;
        var count = $"{counted.Count} of {requirement.Min} +1 from {requirement.Role}";
        if (counted.Count >= requirement.Min)
        {
            return (Make(RequirementStatus.Satisfied, $"{count}: {string.Join(", ", counted.Select(v => v.Voter))}"), "votes");
        }

        var note = notCounted > 0 ? $" ({notCounted} +1 from other roles not counted)" : "";
        var state = counted.Count == 0 ? RequirementStatus.Missing : RequirementStatus.Pending;
        return (Make(state, count + note), $"votes {count}");
    }

    // ---------------------------------------------------------------------------------------------
    // soak

    private static (RequirementState, string) EvaluateSoak(SoakRequirement requirement, DateTimeOffset createdAt, DateTimeOffset at)
    {
        var age = at - createdAt;
        if (age >= requirement.Duration)
        {
            var detail = $"candidate is {FormatDuration(age, roundUp: false)} old (soak {FormatDuration(requirement.Duration, roundUp: false)})";
            return (new RequirementState(SoakKind, SoakKind, null, RequirementStatus.Satisfied, detail, false, null), "soak");
        }

        var left = $"{FormatDuration(requirement.Duration - age, roundUp: true)} left";
        return (new RequirementState(SoakKind, SoakKind, null, RequirementStatus.Pending, left, false, null), $"soak {left}");
    }

    /// <summary>
    /// "2d 3h", "1h 20m", "45s": days, hours and minutes, with seconds only under a minute. Rounded up
    /// (time left) or down (age) to the minute, or to the second under a minute.
    /// </summary>
    public static string FormatDuration(TimeSpan duration, bool roundUp)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }
        var seconds = roundUp ? (long)Math.Ceiling(duration.TotalSeconds) : (long)Math.Floor(duration.TotalSeconds);
        if (seconds < 60)
        {
            return $"{seconds}s";
        }
        var minutes = roundUp ? (seconds + 59) / 60 : seconds / 60;
        var parts = new List<string>(3);
        var (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
        if (days > 0)
        {
            parts.Add($"{days}d");
        }
        if (hours > 0)
        {
            parts.Add($"{hours}h");
        }
        if (mins > 0)
        {
            parts.Add($"{mins}m");
        }
        return string.Join(" ", parts);
    }

    // ---------------------------------------------------------------------------------------------
    // shared

    private static string WaivedDetail(WaiverFact waiver) =>
        string.IsNullOrWhiteSpace(waiver.Reason) ? $"waived by {waiver.By}" : $"waived by {waiver.By}: {waiver.Reason}";

    private static string StateWord(RequirementStatus state) => state switch
    {
        RequirementStatus.Satisfied => "satisfied",
        RequirementStatus.Missing => "missing",
        RequirementStatus.Pending => "pending",
        RequirementStatus.Failed => "failed",
        RequirementStatus.Errored => "errored",
        _ => "waived",
    };

    private static string Plural(long count, string noun) => count == 1 ? noun : noun + "s";

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>The facts as they stood at <c>at</c>, indexed once for all requirements.</summary>
    private sealed class FactIndex
    {
        private readonly Dictionary<string, List<ResultFact>> results = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<WaiverFact>> waivers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChecklistRunFact> runs = new(StringComparer.Ordinal);
        private readonly IReadOnlyList<VoteFact> votes;
        private readonly DateTimeOffset at;
        private IReadOnlyList<VoteFact>? latestVotes;

        public FactIndex(PolicyDocument policy, DecisionFacts facts, DateTimeOffset at)
        {
            this.at = at;
            votes = facts.Votes;

            var testcases = new HashSet<string>(StringComparer.Ordinal);
            var templates = new HashSet<string>(StringComparer.Ordinal);
            foreach (var requirement in policy.Requires)
            {
                switch (requirement)
                {
                    case TestcaseRequirement testcase:
                        testcases.Add(testcase.Testcase);
                        break;
                    case ChecklistRequirement checklist:
                        templates.Add(checklist.Template);
                        break;
                }
            }

            if (testcases.Count > 0)
            {
                foreach (var result in facts.Results)
                {
                    if (result.CreatedAt > at || !testcases.Contains(result.Testcase))
                    {
                        continue;
                    }
                    if (!results.TryGetValue(result.Testcase, out var list))
                    {
                        results[result.Testcase] = list = [];
                    }
                    list.Add(result);
                }
            }

            foreach (var waiver in facts.Waivers)
            {
                var active = waiver.CreatedAt <= at
                    && (waiver.RevokedAt is null || waiver.RevokedAt > at)
                    && (waiver.ExpiresAt is null || waiver.ExpiresAt > at);
                if (!active)
                {
                    continue;
                }
                if (!waivers.TryGetValue(waiver.Testcase, out var list))
                {
                    waivers[waiver.Testcase] = list = [];
                }
                list.Add(waiver);
            }

            if (templates.Count > 0)
            {
                foreach (var run in facts.ChecklistRuns)
                {
                    if (run.StartedAt > at || !templates.Contains(run.Template))
                    {
                        continue;
                    }
                    if (!runs.TryGetValue(run.Template, out var current)
                        || run.StartedAt > current.StartedAt
                        || (run.StartedAt == current.StartedAt && run.RunId > current.RunId))
                    {
                        runs[run.Template] = run;
                    }
                }
            }
        }

        public IReadOnlyList<ResultFact> ResultsOf(string testcase) =>
            results.TryGetValue(testcase, out var list) ? list : [];

        public ChecklistRunFact? LatestRunOf(string template) => runs.GetValueOrDefault(template);

        /// <summary>The latest active waiver of <paramref name="testcase"/> covering <paramref name="scenario"/> ("" waivers cover all).</summary>
        public WaiverFact? WaiverFor(string testcase, string scenario)
        {
            if (!waivers.TryGetValue(testcase, out var list))
            {
                return null;
            }
            WaiverFact? best = null;
            foreach (var waiver in list)
            {
                if (!string.IsNullOrEmpty(waiver.Scenario) && waiver.Scenario != scenario)
                {
                    continue;
                }
                if (best is null || waiver.CreatedAt > best.CreatedAt || (waiver.CreatedAt == best.CreatedAt && waiver.Id > best.Id))
                {
                    best = waiver;
                }
            }
            return best;
        }

        /// <summary>Each voter's latest vote at <c>at</c>, ordered by when it was cast.</summary>
        public IReadOnlyList<VoteFact> LatestVotes => latestVotes ??= ComputeLatestVotes();

        private List<VoteFact> ComputeLatestVotes()
        {
            var latest = new Dictionary<string, VoteFact>(StringComparer.Ordinal);
            foreach (var vote in votes)
            {
                if (vote.CreatedAt > at)
                {
                    continue;
                }
                if (!latest.TryGetValue(vote.Voter, out var current)
                    || vote.CreatedAt > current.CreatedAt
                    || (vote.CreatedAt == current.CreatedAt && vote.Id > current.Id))
                {
                    latest[vote.Voter] = vote;
                }
            }
            return latest.Values.OrderBy(v => v.CreatedAt).ThenBy(v => v.Id).ToList();
        }
    }
}

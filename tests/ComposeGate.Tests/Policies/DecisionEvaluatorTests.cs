using ComposeGate.Access;
using ComposeGate.Checklists;
using ComposeGate.Gating;
using ComposeGate.Policies;

namespace ComposeGate.Tests.Policies;

public sealed class DecisionEvaluatorTests
{
    /// <summary>When the candidate was created; every test's clock starts here.</summary>
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 4, 0, 0, TimeSpan.Zero);

    private const string Stream = "centos-stream-10";
    private const string Template = "gitpod-workspace";

    /// <summary>The Gitpod template: 7 items, 4 of them required.</summary>
    private static readonly string[] RequiredItems = ["start", "terminal", "git", "docker"];

    private static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    private static PolicyDocument Example()
    {
        var parsed = PolicyParser.Parse(PolicyParserTests.ProductExample, PolicyParserTests.Context);
        Assert.True(parsed.IsValid);
        return parsed.Policy!;
    }

    private static PolicyDocument Policy(params Requirement[] requires) => new(requires, PromoteMode.Auto);

    private static PolicyDocument Policy(string yaml)
    {
        var parsed = PolicyParser.Parse(yaml, PolicyParserTests.Context);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return parsed.Policy!;
    }

    private static TestcaseRequirement Testcase(string name, string? scenario = null, params string[] reporters) =>
        new(name, scenario, reporters, 1);

    /// <summary>Facts that tests append to, the way the database would record them.</summary>
    private sealed class Facts
    {
        private readonly List<ResultFact> results = [];
        private readonly List<VoteFact> votes = [];
        private readonly List<WaiverFact> waivers = [];
        private readonly List<Run> runs = [];
        private long nextId = 1;

        public sealed class Run(long id, string template, DateTimeOffset startedAt, string startedBy)
        {
            private readonly List<ChecklistItemFact> entries = [];

            public Run Item(string key, ChecklistItemOutcome state, DateTimeOffset at, string by = "tess")
            {
                entries.Add(new ChecklistItemFact(key, RequiredItems.Contains(key), state, by, at));
                return this;
            }

            public ChecklistRunFact Build() =>
                new(id, template, 3, startedBy, startedAt, RequiredItems.Length, RequiredItems, 7, entries.ToList());
        }

        public ResultFact Result(string testcase, Outcome outcome, DateTimeOffset at, string reporter = "ci-bot", string scenario = "")
        {
            var result = new ResultFact(nextId++, testcase, scenario, outcome, reporter, at);
            results.Add(result);
            return result;
        }

        public VoteFact Vote(string voter, int value, DateTimeOffset at, string role = Roles.ReleaseEngineer, string comment = "")
        {
            var vote = new VoteFact(nextId++, voter, value, [Roles.Viewer, role], comment, at);
            votes.Add(vote);
            return vote;
        }

        public WaiverFact Waive(string testcase, DateTimeOffset at, string scenario = "", DateTimeOffset? expires = null,
            string by = "rel-eng", string reason = "known flaky")
        {
            var waiver = new WaiverFact(nextId++, testcase, scenario, reason, by, at, expires, null);
            waivers.Add(waiver);
            return waiver;
        }

        public void Revoke(WaiverFact waiver, DateTimeOffset at)
        {
            var index = waivers.FindIndex(w => w.Id == waiver.Id);
            waivers[index] = waiver with { RevokedAt = at };
        }

        public Run StartRun(DateTimeOffset at, string template = Template, string by = "tess")
        {
            var run = new Run(nextId++, template, at, by);
            runs.Add(run);
            return run;
        }

        public DecisionFacts Build() =>
            new(Stream, T0, results.ToList(), votes.ToList(), waivers.ToList(), runs.Select(r => r.Build()).ToList());
    }

    private static Decision Evaluate(PolicyDocument policy, Facts facts, DateTimeOffset at) =>
        DecisionEvaluator.Evaluate(policy, facts.Build(), at);

    private static RequirementState Only(PolicyDocument policy, Facts facts, DateTimeOffset at) =>
        Assert.Single(Evaluate(policy, facts, at).Requirements);

    private static RequirementState Named(Decision decision, string name, string? scenario = null) =>
        Assert.Single(decision.Requirements, r => r.Name == name && r.Scenario == scenario);

    private static void AssertState(RequirementState state, RequirementStatus expected, string detail)
    {
        Assert.Equal((expected, detail), (state.State, state.Detail));
    }

    // ---- no policy, empty policy ----------------------------------------------------------------

    [Fact]
    public void Evaluate_NoPolicy_IsNeverSatisfied()
    {
        var facts = new Facts();
        facts.Result("t_functional", Outcome.Passed, At(1));

        var decision = Evaluate(null!, facts, At(60));

        Assert.False(decision.Satisfied);
        Assert.Equal("No policy for stream 'centos-stream-10': nothing can pass.", decision.Summary);
        Assert.Empty(decision.Requirements);
    }

    [Fact]
    public void Evaluate_EmptyRequires_IsSatisfied()
    {
        var decision = Evaluate(Policy("requires: []\npromote: manual\n"), new Facts(), T0);

        Assert.True(decision.Satisfied);
        Assert.Equal("No requirements: nothing to wait for.", decision.Summary);
        Assert.Equal(PromoteMode.Manual, decision.Promote);
    }

    [Fact]
    public void Evaluate_NullFacts_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => DecisionEvaluator.Evaluate(Example(), null!, T0));
    }

    // ---- the PRODUCT.md example, end to end -----------------------------------------------------

    [Fact]
    public void Evaluate_ProductExample_FollowsTheFactsAsTheyAccumulate()
    {
        var policy = Example();
        var facts = new Facts();
        var history = new List<(DateTimeOffset At, Decision Decision)>();
        Decision Now(int minutes)
        {
            var decision = Evaluate(policy, facts, At(minutes));
            history.Add((At(minutes), decision));
            return decision;
        }

        // A new candidate: nothing reported.
        var decision = Now(0);
        Assert.False(decision.Satisfied);
        Assert.Equal(["testcase", "testcase", "checklist", "votes", "soak"], decision.Requirements.Select(r => r.Kind));
        Assert.Equal(["t_functional", "rdo.tempest.smoke", Template, "votes", "soak"], decision.Requirements.Select(r => r.Name));
        AssertState(decision.Requirements[0], RequirementStatus.Missing, "no result yet");
        AssertState(decision.Requirements[1], RequirementStatus.Missing, "no result yet from rdo-bot");
        Assert.Equal("x86_64", decision.Requirements[1].Scenario);
        AssertState(decision.Requirements[2], RequirementStatus.Missing, "no run yet");
        AssertState(decision.Requirements[3], RequirementStatus.Missing, "0 of 2 +1 from ReleaseEngineer");
        AssertState(decision.Requirements[4], RequirementStatus.Pending, "2h left");
        Assert.Equal([true, true, true, false, false], decision.Requirements.Select(r => r.Waivable));
        Assert.Equal(
            "0 of 5 requirements met: t_functional missing (waivable), rdo.tempest.smoke (x86_64) missing (waivable), " +
            "checklist gitpod-workspace missing (waivable), votes 0 of 2 +1 from ReleaseEngineer, soak 2h left",
            decision.Summary);

        // t_functional: missing → pending → failed.
        facts.Result("t_functional", Outcome.Queued, At(5));
        facts.Result("t_functional", Outcome.Running, At(10));
        AssertState(Now(10).Requirements[0], RequirementStatus.Pending, "RUNNING by ci-bot at 2026-11-20 04:10 UTC");
        facts.Result("t_functional", Outcome.Failed, At(30));
        decision = Now(30);
        AssertState(decision.Requirements[0], RequirementStatus.Failed, "FAILED by ci-bot at 2026-11-20 04:30 UTC");
        Assert.StartsWith("0 of 5 requirements met: t_functional failed (waivable), ", decision.Summary);

        // A result from an account not in `reporters` does not count.
        facts.Result("rdo.tempest.smoke", Outcome.Passed, At(35), reporter: "someone-else", scenario: "x86_64");
        AssertState(Now(35).Requirements[1], RequirementStatus.Missing,
            "no result yet from rdo-bot (1 result from other reporters not counted)");

        // The tester starts the checklist and gets through two items.
        var run = facts.StartRun(At(40));
        Assert.Equal("0/7 items", Now(40).Requirements[2].Detail);
        run.Item("start", ChecklistItemOutcome.Passed, At(45)).Item("vscode", ChecklistItemOutcome.Skipped, At(47));
        decision = Now(47);
        AssertState(decision.Requirements[2], RequirementStatus.Pending, "2/7 items");
        Assert.Contains("checklist gitpod-workspace 2/7 items, ", decision.Summary);

        // Votes: one release engineer, one tester whose +1 does not count for the quorum.
        facts.Vote("alice", +1, At(50));
        facts.Vote("bob", +1, At(51), role: Roles.Tester);
        AssertState(Now(51).Requirements[3], RequirementStatus.Pending, "1 of 2 +1 from ReleaseEngineer (1 +1 from other roles not counted)");

        // rdo-bot reports; t_functional is re-run and passes; the checklist is finished; a second release engineer votes.
        facts.Result("rdo.tempest.smoke", Outcome.Passed, At(120), reporter: "rdo-bot", scenario: "x86_64");
        facts.Result("t_functional", Outcome.Passed, At(100));
        run.Item("terminal", ChecklistItemOutcome.Passed, At(60))
            .Item("git", ChecklistItemOutcome.Passed, At(61))
            .Item("docker", ChecklistItemOutcome.Passed, At(62));
        facts.Vote("carol", +1, At(70), role: Roles.Admin);
        decision = Now(110);
        AssertState(decision.Requirements[0], RequirementStatus.Satisfied, "PASSED by ci-bot at 2026-11-20 05:40 UTC");
        AssertState(decision.Requirements[2], RequirementStatus.Satisfied, "all 4 required items passed (5/7 items, run 5 by tess)");
        AssertState(decision.Requirements[3], RequirementStatus.Satisfied, "2 of 2 +1 from ReleaseEngineer: alice, carol");
        AssertState(decision.Requirements[4], RequirementStatus.Pending, "10m left");
        Assert.Equal("3 of 5 requirements met: rdo.tempest.smoke (x86_64) missing (waivable), soak 10m left", decision.Summary);

        // Two hours old, rdo-bot has passed: satisfied.
        decision = Now(120);
        Assert.True(decision.Satisfied);
        Assert.Equal("All 5 requirements met.", decision.Summary);
        AssertState(decision.Requirements[1], RequirementStatus.Satisfied, "PASSED by rdo-bot at 2026-11-20 06:00 UTC");
        AssertState(decision.Requirements[4], RequirementStatus.Satisfied, "candidate is 2h old (soak 2h)");
        Assert.Equal(PromoteMode.Auto, decision.Promote);

        // A −1 blocks everything again.
        facts.Vote("dave", -1, At(130), role: Roles.Tester, comment: "breaks podman");
        decision = Now(130);
        Assert.False(decision.Satisfied);
        AssertState(decision.Requirements[3], RequirementStatus.Failed, "blocked by -1 from dave: breaks podman");
        Assert.Equal("4 of 5 requirements met: votes blocked by -1 from dave", decision.Summary);

        // Asked later with ?at=, every earlier moment answers exactly as it did then.
        foreach (var (at, then) in history)
        {
            var again = Evaluate(policy, facts, at);
            Assert.Equal(then.Summary, again.Summary);
            Assert.Equal(then.Satisfied, again.Satisfied);
            Assert.Equal(then.Requirements, again.Requirements);
        }
    }

    // ---- outcomes and "latest" ------------------------------------------------------------------

    [Theory]
    [InlineData(Outcome.Passed, RequirementStatus.Satisfied)]
    [InlineData(Outcome.Info, RequirementStatus.Satisfied)]
    [InlineData(Outcome.Queued, RequirementStatus.Pending)]
    [InlineData(Outcome.Running, RequirementStatus.Pending)]
    [InlineData(Outcome.Error, RequirementStatus.Errored)]
    [InlineData(Outcome.Failed, RequirementStatus.Failed)]
    [InlineData(Outcome.NeedsInspection, RequirementStatus.Failed)]
    public void Evaluate_LatestOutcome_MapsToState(Outcome outcome, RequirementStatus expected)
    {
        var facts = new Facts();
        facts.Result("t", outcome, At(1));

        Assert.Equal(expected, Only(Policy(Testcase("t")), facts, At(2)).State);
    }

    [Theory]
    [InlineData(Outcome.Passed, "PASSED")]
    [InlineData(Outcome.Info, "INFO")]
    [InlineData(Outcome.Failed, "FAILED")]
    [InlineData(Outcome.NeedsInspection, "NEEDS_INSPECTION")]
    [InlineData(Outcome.Error, "ERROR")]
    [InlineData(Outcome.Queued, "QUEUED")]
    [InlineData(Outcome.Running, "RUNNING")]
    public void OutcomeName_EachOutcome_IsTheResultsDbSpelling(Outcome outcome, string name)
    {
        Assert.Equal(name, DecisionEvaluator.OutcomeName(outcome));
    }

    [Fact]
    public void Evaluate_OlderResultReportedLater_DoesNotOverrideTheLatest()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Passed, At(20));
        facts.Result("t", Outcome.Failed, At(10));

        AssertState(Only(Policy(Testcase("t")), facts, At(30)), RequirementStatus.Satisfied, "PASSED by ci-bot at 2026-11-20 04:20 UTC");
    }

    [Fact]
    public void Evaluate_ResultsAtTheSameTime_GreatestIdWins()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Passed, At(10));
        facts.Result("t", Outcome.Error, At(10));

        Assert.Equal(RequirementStatus.Errored, Only(Policy(Testcase("t")), facts, At(10)).State);
    }

    [Fact]
    public void Evaluate_ResultAfterAt_DoesNotExistYet()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Failed, At(10));
        facts.Result("t", Outcome.Passed, At(20));

        Assert.Equal(RequirementStatus.Failed, Only(Policy(Testcase("t")), facts, At(19)).State);
        Assert.Equal(RequirementStatus.Satisfied, Only(Policy(Testcase("t")), facts, At(20)).State);
        Assert.Equal(RequirementStatus.Missing, Only(Policy(Testcase("t")), facts, At(9)).State);
    }

    [Fact]
    public void Evaluate_OtherTestcases_AreIgnored()
    {
        var facts = new Facts();
        facts.Result("t.other", Outcome.Passed, At(1));
        facts.Result("T", Outcome.Passed, At(1));

        AssertState(Only(Policy(Testcase("t")), facts, At(2)), RequirementStatus.Missing, "no result yet");
    }

    // ---- scenarios ------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_RequirementWithScenario_OnlyThatScenarioCounts()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Failed, At(1), scenario: "aarch64");
        facts.Result("t", Outcome.Failed, At(2));
        var policy = Policy(Testcase("t", "x86_64"));

        AssertState(Only(policy, facts, At(3)), RequirementStatus.Missing, "no result yet");

        facts.Result("t", Outcome.Passed, At(4), scenario: "x86_64");
        var state = Only(policy, facts, At(5));
        AssertState(state, RequirementStatus.Satisfied, "PASSED by ci-bot at 2026-11-20 04:04 UTC");
        Assert.Equal("x86_64", state.Scenario);
    }

    [Fact]
    public void Evaluate_RequirementWithoutScenario_EveryScenarioMustPass()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Passed, At(1), scenario: "x86_64");
        facts.Result("t", Outcome.Failed, At(2), scenario: "aarch64");
        var policy = Policy(Testcase("t"));

        AssertState(Only(policy, facts, At(3)), RequirementStatus.Failed, "FAILED (aarch64) by ci-bot at 2026-11-20 04:02 UTC");

        facts.Result("t", Outcome.Passed, At(4), reporter: "arm-bot", scenario: "aarch64");
        AssertState(Only(policy, facts, At(5)), RequirementStatus.Satisfied,
            "all 2 scenarios passed; latest PASSED (aarch64) by arm-bot at 2026-11-20 04:04 UTC");
    }

    [Fact]
    public void Evaluate_RequirementWithoutScenario_TheWorstScenarioDecidesAndTheOthersAreListed()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Running, At(1), scenario: "s390x");
        facts.Result("t", Outcome.Error, At(2), scenario: "ppc64le");
        facts.Result("t", Outcome.Passed, At(3), scenario: "x86_64");
        facts.Result("t", Outcome.NeedsInspection, At(4), scenario: "aarch64");
        facts.Result("t", Outcome.Queued, At(5));
        var policy = Policy(Testcase("t"));

        AssertState(Only(policy, facts, At(6)), RequirementStatus.Failed,
            "NEEDS_INSPECTION (aarch64) by ci-bot at 2026-11-20 04:04 UTC; also ERROR (ppc64le), QUEUED (no scenario), RUNNING (s390x)");

        facts.Result("t", Outcome.Passed, At(7), scenario: "aarch64");
        Assert.Equal(RequirementStatus.Errored, Only(policy, facts, At(7)).State);

        facts.Result("t", Outcome.Passed, At(8), scenario: "ppc64le");
        AssertState(Only(policy, facts, At(8)), RequirementStatus.Pending,
            "QUEUED by ci-bot at 2026-11-20 04:05 UTC; also RUNNING (s390x)");
    }

    // ---- reporters ------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_RestrictedReporters_OnlyTheirLatestResultCounts()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Passed, At(1), reporter: "rdo-bot");
        facts.Result("t", Outcome.Failed, At(2), reporter: "random-bot");
        var policy = Policy(Testcase("t", null, "rdo-bot", "ci-bot"));

        AssertState(Only(policy, facts, At(3)), RequirementStatus.Satisfied, "PASSED by rdo-bot at 2026-11-20 04:01 UTC");

        facts.Result("t", Outcome.Failed, At(4), reporter: "ci-bot");
        AssertState(Only(policy, facts, At(5)), RequirementStatus.Failed, "FAILED by ci-bot at 2026-11-20 04:04 UTC");
    }

    [Fact]
    public void Evaluate_RestrictedReportersWithOnlyOthersResults_IsMissing()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Passed, At(1), reporter: "random-bot");
        facts.Result("t", Outcome.Passed, At(2), reporter: "Rdo-Bot");

        AssertState(Only(Policy(Testcase("t", null, "rdo-bot")), facts, At(3)), RequirementStatus.Missing,
            "no result yet from rdo-bot (2 results from other reporters not counted)");
    }

    // ---- checklists -----------------------------------------------------------------------------

    private static readonly PolicyDocument ChecklistPolicy = Policy(new ChecklistRequirement(Template, 1));

    [Fact]
    public void Evaluate_ChecklistWithoutRun_IsMissing()
    {
        var facts = new Facts();
        facts.StartRun(At(1), template: "fedora-release").Item("start", ChecklistItemOutcome.Passed, At(2));

        var state = Only(ChecklistPolicy, facts, At(3));

        AssertState(state, RequirementStatus.Missing, "no run yet");
        Assert.Equal(("checklist", Template, (string?)null, true), (state.Kind, state.Name, state.Scenario, state.Waivable));
    }

    [Fact]
    public void Evaluate_ChecklistInProgress_CountsItemsWithAnyState()
    {
        var facts = new Facts();
        facts.StartRun(At(1))
            .Item("start", ChecklistItemOutcome.Passed, At(2))
            .Item("vscode", ChecklistItemOutcome.Failed, At(3))
            .Item("ports", ChecklistItemOutcome.Skipped, At(4))
            .Item("start", ChecklistItemOutcome.Passed, At(5));

        var decision = Evaluate(ChecklistPolicy, facts, At(6));

        AssertState(Assert.Single(decision.Requirements), RequirementStatus.Pending, "3/7 items");
        Assert.Equal("0 of 1 requirement met: checklist gitpod-workspace 3/7 items", decision.Summary);
    }

    [Fact]
    public void Evaluate_ChecklistRequiredItemFailed_IsFailed()
    {
        var facts = new Facts();
        facts.StartRun(At(1))
            .Item("start", ChecklistItemOutcome.Passed, At(2))
            .Item("docker", ChecklistItemOutcome.Failed, At(3), by: "tina");

        var decision = Evaluate(ChecklistPolicy, facts, At(4));

        AssertState(Assert.Single(decision.Requirements), RequirementStatus.Failed, "required item 'docker' failed by tina at 2026-11-20 04:03 UTC");
        Assert.Equal("0 of 1 requirement met: checklist gitpod-workspace failed (waivable)", decision.Summary);
    }

    [Fact]
    public void Evaluate_ChecklistSeveralRequiredItemsFailed_NamesThem()
    {
        var facts = new Facts();
        facts.StartRun(At(1))
            .Item("git", ChecklistItemOutcome.Failed, At(2))
            .Item("start", ChecklistItemOutcome.Failed, At(3));

        AssertState(Only(ChecklistPolicy, facts, At(4)), RequirementStatus.Failed, "required items 'start', 'git' failed");
    }

    [Fact]
    public void Evaluate_ChecklistFailedItemPassedLater_TheLatestEntryCounts()
    {
        var facts = new Facts();
        var run = facts.StartRun(At(1));
        foreach (var key in RequiredItems)
        {
            run.Item(key, ChecklistItemOutcome.Passed, At(2));
        }
        run.Item("docker", ChecklistItemOutcome.Failed, At(3));

        Assert.Equal(RequirementStatus.Failed, Only(ChecklistPolicy, facts, At(4)).State);

        run.Item("docker", ChecklistItemOutcome.Passed, At(5));
        AssertState(Only(ChecklistPolicy, facts, At(5)), RequirementStatus.Satisfied, "all 4 required items passed (4/7 items, run 1 by tess)");
        Assert.Equal(RequirementStatus.Failed, Only(ChecklistPolicy, facts, At(4)).State);
    }

    [Fact]
    public void Evaluate_ChecklistOptionalItemFailed_DoesNotFailIt()
    {
        var facts = new Facts();
        var run = facts.StartRun(At(1)).Item("vscode", ChecklistItemOutcome.Failed, At(2));
        foreach (var key in RequiredItems)
        {
            run.Item(key, ChecklistItemOutcome.Passed, At(3));
        }

        Assert.Equal(RequirementStatus.Satisfied, Only(ChecklistPolicy, facts, At(3)).State);
    }

    [Fact]
    public void Evaluate_ChecklistRequiredItemSkipped_StaysPendingAndSaysSo()
    {
        var facts = new Facts();
        var run = facts.StartRun(At(1));
        foreach (var key in RequiredItems)
        {
            run.Item(key, key == "git" ? ChecklistItemOutcome.Skipped : ChecklistItemOutcome.Passed, At(2));
        }

        AssertState(Only(ChecklistPolicy, facts, At(3)), RequirementStatus.Pending, "4/7 items; required item 'git' skipped");
    }

    [Fact]
    public void Evaluate_ChecklistRunStartedLast_Decides()
    {
        var facts = new Facts();
        var first = facts.StartRun(At(1), by: "tess");
        foreach (var key in RequiredItems)
        {
            first.Item(key, ChecklistItemOutcome.Passed, At(2));
        }
        facts.StartRun(At(10), by: "tina").Item("start", ChecklistItemOutcome.Failed, At(11));

        Assert.Equal(RequirementStatus.Satisfied, Only(ChecklistPolicy, facts, At(9)).State);
        AssertState(Only(ChecklistPolicy, facts, At(10)), RequirementStatus.Pending, "0/7 items");
        Assert.Equal(RequirementStatus.Failed, Only(ChecklistPolicy, facts, At(11)).State);
    }

    [Fact]
    public void Evaluate_ChecklistRunOfAnotherVersion_StillCounts()
    {
        var run = new ChecklistRunFact(5, Template, 1, "tess", At(1), 1, ["only"], 2,
            [new ChecklistItemFact("only", true, ChecklistItemOutcome.Passed, "tess", At(2))]);
        var facts = new DecisionFacts(Stream, T0, [], [], [], [run]);

        var state = Assert.Single(DecisionEvaluator.Evaluate(ChecklistPolicy, facts, At(3)).Requirements);

        AssertState(state, RequirementStatus.Satisfied, "all 1 required item passed (1/2 items, run 5 by tess)");
    }

    [Fact]
    public void Evaluate_ChecklistWithoutRequiredItems_IsSatisfiedOnceStarted()
    {
        var run = new ChecklistRunFact(5, Template, 1, "tess", At(1), 0, [], 3, []);
        var facts = new DecisionFacts(Stream, T0, [], [], [], [run]);

        Assert.Equal(RequirementStatus.Satisfied, Assert.Single(DecisionEvaluator.Evaluate(ChecklistPolicy, facts, At(1)).Requirements).State);
    }

    // ---- votes ----------------------------------------------------------------------------------

    private static readonly PolicyDocument VotesPolicy = Policy(new VotesRequirement(2, Roles.ReleaseEngineer, 1));

    [Fact]
    public void Evaluate_VotesQuorum_CountsOnlyVotersWithTheRoleOrAbove()
    {
        var facts = new Facts();
        facts.Vote("tess", +1, At(1), role: Roles.Tester);
        facts.Vote("rita", +1, At(2), role: Roles.Reporter);

        var state = Only(VotesPolicy, facts, At(3));
        AssertState(state, RequirementStatus.Missing, "0 of 2 +1 from ReleaseEngineer (2 +1 from other roles not counted)");
        Assert.Equal(("votes", "votes", false), (state.Kind, state.Name, state.Waivable));

        facts.Vote("alice", +1, At(4));
        AssertState(Only(VotesPolicy, facts, At(4)), RequirementStatus.Pending, "1 of 2 +1 from ReleaseEngineer (2 +1 from other roles not counted)");

        facts.Vote("root", +1, At(5), role: Roles.Admin);
        AssertState(Only(VotesPolicy, facts, At(5)), RequirementStatus.Satisfied, "2 of 2 +1 from ReleaseEngineer: alice, root");
    }

    [Fact]
    public void Evaluate_VoterWithoutKnownRole_IsNotCounted()
    {
        var facts = new DecisionFacts(Stream, T0, [],
            [new VoteFact(1, "ghost", +1, [], "", At(1)), new VoteFact(2, "odd", +1, ["Superuser"], "", At(1))], [], []);

        AssertState(Assert.Single(DecisionEvaluator.Evaluate(Policy(new VotesRequirement(1, Roles.Viewer, 1)), facts, At(2)).Requirements),
            RequirementStatus.Missing, "0 of 1 +1 from Viewer (2 +1 from other roles not counted)");
    }

    [Fact]
    public void Evaluate_MinusOneFromAnyone_Blocks()
    {
        var facts = new Facts();
        facts.Vote("alice", +1, At(1));
        facts.Vote("bob", +1, At(2));
        facts.Vote("vic", -1, At(3), role: Roles.Viewer, comment: "kernel panics on boot");
        facts.Vote("tess", -1, At(4), role: Roles.Tester);

        var decision = Evaluate(VotesPolicy, facts, At(5));

        AssertState(Assert.Single(decision.Requirements), RequirementStatus.Failed,
            "blocked by -1 from vic: kernel panics on boot; -1 from tess");
        Assert.Equal("0 of 1 requirement met: votes blocked by -1 from vic, tess", decision.Summary);
    }

    [Fact]
    public void Evaluate_VoterChangesTheirVote_TheLatestCounts()
    {
        var facts = new Facts();
        facts.Vote("alice", +1, At(1));
        facts.Vote("bob", -1, At(2), comment: "wait for the fix");

        Assert.Equal(RequirementStatus.Failed, Only(VotesPolicy, facts, At(3)).State);

        facts.Vote("bob", +1, At(4), comment: "fixed");
        AssertState(Only(VotesPolicy, facts, At(4)), RequirementStatus.Satisfied, "2 of 2 +1 from ReleaseEngineer: alice, bob");

        facts.Vote("alice", -1, At(6), comment: "regression");
        AssertState(Only(VotesPolicy, facts, At(6)), RequirementStatus.Failed, "blocked by -1 from alice: regression");
    }

    [Fact]
    public void Evaluate_RepeatedPlusOne_CountsOnce()
    {
        var facts = new Facts();
        facts.Vote("alice", +1, At(1));
        facts.Vote("alice", +1, At(2));

        AssertState(Only(VotesPolicy, facts, At(3)), RequirementStatus.Pending, "1 of 2 +1 from ReleaseEngineer");
    }

    [Fact]
    public void Evaluate_VotesAtTheSameTime_GreatestIdWins()
    {
        var facts = new Facts();
        facts.Vote("alice", +1, At(1));
        facts.Vote("alice", -1, At(1));

        Assert.Equal(RequirementStatus.Failed, Only(VotesPolicy, facts, At(1)).State);
    }

    [Fact]
    public void Evaluate_VoteOfZero_WithdrawsTheEarlierVote()
    {
        var facts = new Facts();
        facts.Vote("alice", -1, At(1));
        facts.Vote("alice", 0, At(2));

        Assert.Equal(RequirementStatus.Missing, Only(VotesPolicy, facts, At(2)).State);
    }

    [Fact]
    public void Evaluate_VoteAfterAt_DoesNotCount()
    {
        var facts = new Facts();
        facts.Vote("alice", -1, At(10));

        Assert.Equal(RequirementStatus.Missing, Only(VotesPolicy, facts, At(9)).State);
    }

    [Fact]
    public void Evaluate_VotesBlockedAndWaiverForVotes_IsNotWaived()
    {
        var facts = new Facts();
        facts.Vote("alice", -1, At(1));
        facts.Waive("votes", At(2));

        var state = Only(VotesPolicy, facts, At(3));

        Assert.Equal(RequirementStatus.Failed, state.State);
        Assert.Null(state.WaiverId);
    }

    // ---- soak -----------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_Soak_PendingWithTimeLeftThenSatisfied()
    {
        var policy = Policy(new SoakRequirement(TimeSpan.FromHours(2), 1));
        var facts = new Facts();

        var early = Evaluate(policy, facts, At(40));
        AssertState(Assert.Single(early.Requirements), RequirementStatus.Pending, "1h 20m left");
        Assert.Equal("0 of 1 requirement met: soak 1h 20m left", early.Summary);
        Assert.False(Assert.Single(early.Requirements).Waivable);

        AssertState(Only(policy, facts, At(119).AddSeconds(30)), RequirementStatus.Pending, "30s left");
        AssertState(Only(policy, facts, At(120)), RequirementStatus.Satisfied, "candidate is 2h old (soak 2h)");
        AssertState(Only(policy, facts, At(60 * 27 + 5)), RequirementStatus.Satisfied, "candidate is 1d 3h 5m old (soak 2h)");
        Assert.Equal("1 requirement met.", Evaluate(policy, facts, At(120)).Summary);
    }

    [Fact]
    public void Evaluate_SoakAskedBeforeTheCandidateExisted_IsPending()
    {
        AssertState(Only(Policy(new SoakRequirement(TimeSpan.FromMinutes(30), 1)), new Facts(), At(-15)),
            RequirementStatus.Pending, "45m left");
    }

    [Theory]
    [InlineData(0, true, "0s")]
    [InlineData(59, true, "59s")]
    [InlineData(60, true, "1m")]
    [InlineData(61, true, "2m")]
    [InlineData(61, false, "1m")]
    [InlineData(4_800, true, "1h 20m")]
    [InlineData(86_400, false, "1d")]
    [InlineData(216_000, false, "2d 12h")]
    public void FormatDuration_Seconds_IsShortAndRounded(int seconds, bool roundUp, string expected)
    {
        Assert.Equal(expected, DecisionEvaluator.FormatDuration(TimeSpan.FromSeconds(seconds), roundUp));
    }

    // ---- waivers --------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_Waiver_MakesFailedWaivedUntilRevoked()
    {
        var policy = Policy(Testcase("t_functional"), new SoakRequirement(TimeSpan.FromMinutes(1), 2));
        var facts = new Facts();
        facts.Result("t_functional", Outcome.Failed, At(1));
        var waiver = facts.Waive("t_functional", At(10), by: "alice", reason: "flaky on this hardware");

        var before = Evaluate(policy, facts, At(9));
        Assert.Equal(RequirementStatus.Failed, before.Requirements[0].State);
        Assert.Null(before.Requirements[0].WaiverId);

        var waived = Evaluate(policy, facts, At(10));
        Assert.True(waived.Satisfied);
        AssertState(waived.Requirements[0], RequirementStatus.Waived, "waived by alice: flaky on this hardware");
        Assert.Equal(waiver.Id, waived.Requirements[0].WaiverId);
        Assert.Equal("All 2 requirements met (1 waived).", waived.Summary);

        facts.Revoke(waiver, At(20));
        var revoked = Evaluate(policy, facts, At(20));
        Assert.False(revoked.Satisfied);
        Assert.Equal(RequirementStatus.Failed, revoked.Requirements[0].State);
        Assert.Null(revoked.Requirements[0].WaiverId);
        Assert.Equal("1 of 2 requirements met: t_functional failed (waivable)", revoked.Summary);

        // Before the revocation, it was waived.
        Assert.Equal(RequirementStatus.Waived, Evaluate(policy, facts, At(19)).Requirements[0].State);
    }

    [Fact]
    public void Evaluate_ExpiredWaiver_NoLongerCounts()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Error, At(1));
        facts.Waive("t", At(2), expires: At(30));
        var policy = Policy(Testcase("t"));

        Assert.Equal(RequirementStatus.Waived, Only(policy, facts, At(29)).State);
        Assert.Equal(RequirementStatus.Errored, Only(policy, facts, At(30)).State);
    }

    [Fact]
    public void Evaluate_WaiverOfMissingAndPendingRequirements_WaivesThem()
    {
        var facts = new Facts();
        facts.Waive("missing", At(1));
        facts.Waive("running", At(1));
        facts.Result("running", Outcome.Running, At(1));

        var decision = Evaluate(Policy(Testcase("missing"), Testcase("running")), facts, At(2));

        Assert.True(decision.Satisfied);
        Assert.All(decision.Requirements, r => Assert.Equal(RequirementStatus.Waived, r.State));
    }

    [Fact]
    public void Evaluate_WaiverOfSatisfiedRequirement_StaysSatisfied()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Passed, At(1));
        facts.Waive("t", At(2));

        var state = Only(Policy(Testcase("t")), facts, At(3));

        Assert.Equal(RequirementStatus.Satisfied, state.State);
        Assert.Null(state.WaiverId);
    }

    [Fact]
    public void Evaluate_ScenarioWaiver_AppliesOnlyToThatScenario()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Failed, At(1), scenario: "x86_64");
        facts.Result("t", Outcome.Failed, At(1), scenario: "aarch64");
        facts.Waive("t", At(2), scenario: "aarch64");
        var policy = Policy(Testcase("t", "x86_64"), Testcase("t", "aarch64"));

        var decision = Evaluate(policy, facts, At(3));

        Assert.Equal(RequirementStatus.Failed, Named(decision, "t", "x86_64").State);
        Assert.Equal(RequirementStatus.Waived, Named(decision, "t", "aarch64").State);
    }

    [Fact]
    public void Evaluate_WaiverForEveryScenario_AppliesToAScenarioRequirement()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Failed, At(1), scenario: "x86_64");
        facts.Waive("t", At(2));

        Assert.Equal(RequirementStatus.Waived, Only(Policy(Testcase("t", "x86_64")), facts, At(3)).State);
    }

    [Fact]
    public void Evaluate_ScenarioWaiversOnRequirementWithoutScenario_WaivedWhenEveryFailingScenarioIsWaived()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Passed, At(1), scenario: "x86_64");
        facts.Result("t", Outcome.Failed, At(1), scenario: "aarch64");
        facts.Result("t", Outcome.Error, At(1), scenario: "ppc64le");
        var aarch64 = facts.Waive("t", At(2), scenario: "aarch64", by: "alice", reason: "no arm hardware");
        var policy = Policy(Testcase("t"));

        AssertState(Only(policy, facts, At(3)), RequirementStatus.Errored,
            "ERROR (ppc64le) by ci-bot at 2026-11-20 04:01 UTC; 1 waived scenario");

        facts.Waive("t", At(4), scenario: "ppc64le", by: "bob", reason: "ppc builder down");
        var state = Only(policy, facts, At(4));
        AssertState(state, RequirementStatus.Waived, "waived by alice: no arm hardware; also waived by bob: ppc builder down");
        Assert.Equal(aarch64.Id, state.WaiverId);
    }

    [Fact]
    public void Evaluate_ScenarioWaiverOnRequirementWithoutScenarioOrResults_StaysMissing()
    {
        var facts = new Facts();
        facts.Waive("t", At(1), scenario: "aarch64");

        Assert.Equal(RequirementStatus.Missing, Only(Policy(Testcase("t")), facts, At(2)).State);
    }

    [Fact]
    public void Evaluate_SeveralWaivers_TheLatestCreatedIsReported()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Failed, At(1));
        facts.Waive("t", At(2), reason: "first");
        var second = facts.Waive("t", At(3), reason: "second");

        var state = Only(Policy(Testcase("t")), facts, At(4));

        Assert.Equal(second.Id, state.WaiverId);
        Assert.Equal("waived by rel-eng: second", state.Detail);
    }

    [Fact]
    public void Evaluate_ChecklistWaiver_UsesTheChecklistTestcase()
    {
        var facts = new Facts();
        facts.StartRun(At(1)).Item("docker", ChecklistItemOutcome.Failed, At(2));
        facts.Waive(Template, At(3));

        Assert.Equal(RequirementStatus.Failed, Only(ChecklistPolicy, facts, At(4)).State);

        var waiver = facts.Waive("checklist.gitpod-workspace", At(5), by: "alice", reason: "docker item is obsolete");
        var state = Only(ChecklistPolicy, facts, At(5));
        AssertState(state, RequirementStatus.Waived, "waived by alice: docker item is obsolete");
        Assert.Equal(waiver.Id, state.WaiverId);
        Assert.Equal("checklist.gitpod-workspace", DecisionEvaluator.ChecklistTestcase(Template));
    }

    [Fact]
    public void Evaluate_WaiverCreatedAfterAt_DoesNotCountYet()
    {
        var facts = new Facts();
        facts.Result("t", Outcome.Failed, At(1));
        facts.Waive("t", At(10));

        Assert.Equal(RequirementStatus.Failed, Only(Policy(Testcase("t")), facts, At(9)).State);
    }

    // ---- summary --------------------------------------------------------------------------------

    [Fact]
    public void Evaluate_Summary_ListsUnmetRequirementsInPolicyOrder()
    {
        var policy = Policy("""
            requires:
              - testcase: t_functional
              - checklist: gitpod-workspace
              - testcase: t_install
                scenario: aarch64
              - testcase: t_upgrade
            """);
        var facts = new Facts();
        facts.Result("t_functional", Outcome.Failed, At(1));
        facts.Result("t_install", Outcome.Passed, At(1), scenario: "aarch64");
        facts.Result("t_upgrade", Outcome.Info, At(1));
        facts.StartRun(At(1)).Item("start", ChecklistItemOutcome.Passed, At(2)).Item("git", ChecklistItemOutcome.Passed, At(3));

        var decision = Evaluate(policy, facts, At(4));

        Assert.False(decision.Satisfied);
        Assert.Equal("2 of 4 requirements met: t_functional failed (waivable), checklist gitpod-workspace 2/7 items", decision.Summary);
    }

    [Fact]
    public void Evaluate_Summary_MarksErroredAndMissingAsWaivableButNotPending()
    {
        var facts = new Facts();
        facts.Result("errored", Outcome.Error, At(1));
        facts.Result("queued", Outcome.Queued, At(1), scenario: "x86_64");

        var decision = Evaluate(Policy(Testcase("errored"), Testcase("queued", "x86_64"), Testcase("absent")), facts, At(2));

        Assert.Equal("0 of 3 requirements met: errored errored (waivable), queued (x86_64) pending, absent missing (waivable)", decision.Summary);
    }

    [Fact]
    public void Evaluate_Promote_ComesFromThePolicy()
    {
        var decision = DecisionEvaluator.Evaluate(new PolicyDocument([], PromoteMode.Manual), new Facts().Build(), T0);

        Assert.Equal(PromoteMode.Manual, decision.Promote);
    }

    // ---- scale ----------------------------------------------------------------------------------

    /// <summary>
    /// 5,000 results over 50 required testcases (four scenarios each, reported repeatedly). Asserts
    /// correctness only: the evaluation time is measured outside the unit tests.
    /// </summary>
    public static (PolicyDocument Policy, DecisionFacts Facts, DateTimeOffset At) LargeCandidate()
    {
        string[] scenarios = ["x86_64", "aarch64", "ppc64le", "s390x"];
        var requires = new List<Requirement>();
        for (var i = 0; i < 50; i++)
        {
            requires.Add(i % 5 == 0
                ? new TestcaseRequirement($"suite.t{i:00}", "x86_64", [], i + 2)
                : new TestcaseRequirement($"suite.t{i:00}", null, i % 7 == 0 ? ["ci-bot"] : [], i + 2));
        }

        var results = new List<ResultFact>(5_000);
        for (var id = 1; id <= 5_000; id++)
        {
            var testcase = (id - 1) % 50;
            var scenario = scenarios[(id - 1) / 50 % 4];
            var round = (id - 1) / 200;             // 25 rounds; the last one decides
            var outcome = round == 24 ? Outcome.Passed : (Outcome)(id % 7);
            if (round == 24 && testcase == 13 && scenario == "aarch64")
            {
                outcome = Outcome.Failed;
            }
            results.Add(new ResultFact(id, $"suite.t{testcase:00}", scenario, outcome, "ci-bot", T0.AddSeconds(id)));
        }
        // Shuffle deterministically: the evaluator must not depend on the order facts come in.
        var random = new Random(42);
        var shuffled = results.OrderBy(_ => random.Next()).ToList();

        var facts = new DecisionFacts(Stream, T0, shuffled, [], [], []);
        return (new PolicyDocument(requires, PromoteMode.Auto), facts, T0.AddHours(3));
    }

    [Fact]
    public void Evaluate_FiveThousandResultsAndFiftyRequirements_IsCorrect()
    {
        var (policy, facts, at) = LargeCandidate();

        var decision = DecisionEvaluator.Evaluate(policy, facts, at);

        Assert.Equal(50, decision.Requirements.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"suite.t{i:00}"), decision.Requirements.Select(r => r.Name));
        var failed = Assert.Single(decision.Requirements, r => r.State != RequirementStatus.Satisfied);
        Assert.Equal("suite.t13", failed.Name);
        Assert.Equal(RequirementStatus.Failed, failed.State);
        Assert.StartsWith("FAILED (aarch64) by ci-bot at ", failed.Detail);
        Assert.Equal("49 of 50 requirements met: suite.t13 failed (waivable)", decision.Summary);
        Assert.Equal("all 4 scenarios passed; latest PASSED (s390x) by ci-bot at 2026-11-20 05:22 UTC", decision.Requirements[1].Detail);

        // Halfway through, the middle round decides.
        var halfway = DecisionEvaluator.Evaluate(policy, facts, T0.AddSeconds(2_500));
        Assert.False(halfway.Satisfied);
    }
}

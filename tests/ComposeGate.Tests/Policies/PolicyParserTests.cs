using ComposeGate.Policies;

namespace ComposeGate.Tests.Policies;

public sealed class PolicyParserTests
{
    /// <summary>The example of PRODUCT.md, "Policy YAML", verbatim.</summary>
    public const string ProductExample = """
        requires:
          - testcase: t_functional              # latest result must pass, or be waived
          - testcase: rdo.tempest.smoke
            scenario: x86_64                    # optional: per scenario
            reporters: [rdo-bot]                # optional: only these accounts' results count
          - checklist: gitpod-workspace         # a finished run of this template with every required item passed
          - votes: { min: 2, role: ReleaseEngineer }   # at least 2 × +1 from that role; any −1 blocks
          - soak: 2h                            # candidate at least this old
        promote: auto                           # auto: promote as soon as satisfied; manual: a release engineer clicks
        """;

    public static readonly PolicyContext Context =
        new(new HashSet<string>(StringComparer.Ordinal) { "gitpod-workspace", "fedora-release" });

    private const string RoleList = "Viewer, Reporter, Tester, ReleaseEngineer, Admin";

    private static PolicyDocument Valid(string yaml)
    {
        var result = PolicyParser.Parse(yaml, Context);
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.NotNull(result.Policy);
        return result.Policy;
    }

    private static IReadOnlyList<PolicyError> Invalid(string yaml)
    {
        var result = PolicyParser.Parse(yaml, Context);
        Assert.False(result.IsValid);
        Assert.Null(result.Policy);
        Assert.NotEmpty(result.Errors);
        return result.Errors;
    }

    private static PolicyError SingleError(string yaml) => Assert.Single(Invalid(yaml));

    private static void AssertError(PolicyError error, int line, int column, string message)
    {
        Assert.Equal(message, error.Message);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    // ---- valid policies -----------------------------------------------------------------------

    [Fact]
    public void Parse_ProductExample_ReturnsEveryRequirementInOrderWithItsLine()
    {
        var policy = Valid(ProductExample);

        Assert.Equal(PromoteMode.Auto, policy.Promote);
        Assert.Collection(policy.Requires,
            r =>
            {
                var testcase = Assert.IsType<TestcaseRequirement>(r);
                Assert.Equal("t_functional", testcase.Testcase);
                Assert.Null(testcase.Scenario);
                Assert.Empty(testcase.Reporters);
                Assert.Equal(2, testcase.Line);
            },
            r =>
            {
                var testcase = Assert.IsType<TestcaseRequirement>(r);
                Assert.Equal("rdo.tempest.smoke", testcase.Testcase);
                Assert.Equal("x86_64", testcase.Scenario);
                Assert.Equal(["rdo-bot"], testcase.Reporters);
                Assert.Equal(3, testcase.Line);
            },
            r => Assert.Equal(new ChecklistRequirement("gitpod-workspace", 6), r),
            r => Assert.Equal(new VotesRequirement(2, "ReleaseEngineer", 7), r),
            r => Assert.Equal(new SoakRequirement(TimeSpan.FromHours(2), 8), r));
    }

    [Fact]
    public void Parse_PromoteManual_ReturnsManual()
    {
        var policy = Valid("requires: []\npromote: manual\n");

        Assert.Equal(PromoteMode.Manual, policy.Promote);
        Assert.Empty(policy.Requires);
    }

    [Fact]
    public void Parse_NoPromote_DefaultsToAuto()
    {
        var policy = Valid("requires:\n  - testcase: t_functional\n");

        Assert.Equal(PromoteMode.Auto, policy.Promote);
        Assert.Single(policy.Requires);
    }

    [Fact]
    public void Parse_FlowStyle_IsAccepted()
    {
        var policy = Valid("{requires: [{testcase: a, scenario: s390x}, {soak: 30s}], promote: manual}");

        Assert.Equal(PromoteMode.Manual, policy.Promote);
        Assert.Equal(new SoakRequirement(TimeSpan.FromSeconds(30), 1), policy.Requires[1]);
        Assert.Equal("s390x", Assert.IsType<TestcaseRequirement>(policy.Requires[0]).Scenario);
    }

    [Fact]
    public void Parse_BlockVotesMapping_IsAccepted()
    {
        var policy = Valid("""
            requires:
              - votes:
                  min: 1
                  role: Tester
            """);

        Assert.Equal(new VotesRequirement(1, "Tester", 2), Assert.Single(policy.Requires));
    }

    [Fact]
    public void Parse_ReportersWithRepeatedName_KeepsEachNameOnce()
    {
        var policy = Valid("requires:\n  - testcase: a\n    reporters: [bot-a, bot-b, bot-a]\n");

        Assert.Equal(["bot-a", "bot-b"], Assert.IsType<TestcaseRequirement>(policy.Requires[0]).Reporters);
    }

    [Fact]
    public void Parse_AnchorAndAlias_ResolvesTheAlias()
    {
        var policy = Valid("""
            requires:
              - testcase: a
                reporters: &bots [rdo-bot, ci-bot]
              - testcase: b
                reporters: *bots
            """);

        Assert.Equal(["rdo-bot", "ci-bot"], Assert.IsType<TestcaseRequirement>(policy.Requires[1]).Reporters);
    }

    [Fact]
    public void Parse_SameTestcaseWithDifferentScenarios_IsNotADuplicate()
    {
        var policy = Valid("""
            requires:
              - testcase: a
              - testcase: a
                scenario: x86_64
              - testcase: a
                scenario: aarch64
            """);

        Assert.Equal(3, policy.Requires.Count);
    }

    [Fact]
    public void Parse_LeadingByteOrderMark_IsIgnored()
    {
        var policy = Valid("\uFEFFrequires: []\n");

        Assert.Empty(policy.Requires);
    }

    [Fact]
    public void Parse_ExplicitDocumentMarkers_AreAccepted()
    {
        var policy = Valid("---\nrequires:\n  - soak: 1d\n...\n");

        Assert.Equal(new SoakRequirement(TimeSpan.FromDays(1), 3), Assert.Single(policy.Requires));
    }

    [Fact]
    public void Parse_IntegerTaggedMin_IsAccepted()
    {
        var policy = Valid("requires:\n  - votes: { min: !!int 3, role: Admin }\n");

        Assert.Equal(new VotesRequirement(3, "Admin", 2), Assert.Single(policy.Requires));
    }

    [Theory]
    [InlineData("30s", 0, 0, 0, 30)]
    [InlineData("45m", 0, 0, 45, 0)]
    [InlineData("2h", 0, 2, 0, 0)]
    [InlineData("1d", 1, 0, 0, 0)]
    [InlineData("1h30m", 0, 1, 30, 0)]
    [InlineData("2d12h", 2, 12, 0, 0)]
    [InlineData("90m", 0, 0, 90, 0)]
    [InlineData("1d2h3m4s", 1, 2, 3, 4)]
    [InlineData("0h5m", 0, 0, 5, 0)]
    public void Parse_SoakDuration_ReturnsTimeSpan(string text, int days, int hours, int minutes, int seconds)
    {
        var policy = Valid($"requires:\n  - soak: {text}\n");

        Assert.Equal(new TimeSpan(days, hours, minutes, seconds), Assert.IsType<SoakRequirement>(policy.Requires[0]).Duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("0h")]
    [InlineData("0s")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("2H")]
    [InlineData("30m1h")]
    [InlineData("1h 30m")]
    [InlineData("h")]
    [InlineData("2 hours")]
    [InlineData("2w")]
    [InlineData("9999999999d")]
    [InlineData("999999999d")]
    public void TryParseDuration_Malformed_ReturnsFalse(string text)
    {
        Assert.False(PolicyParser.TryParseDuration(text, out _));
    }

    // ---- document-level errors -----------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void Parse_EmptyDocument_ReportsThatRequiresIsNeeded(string yaml)
    {
        AssertError(SingleError(yaml), 1, 1,
            "the policy is empty; it needs 'requires' (a list of requirements, [] for none) and optionally 'promote'");
    }

    [Fact]
    public void Parse_MappingWithoutRequires_ReportsAtTheMapping()
    {
        AssertError(SingleError("promote: manual\n"), 1, 1, "the policy needs 'requires' (a list of requirements, [] for none)");
    }

    [Fact]
    public void Parse_TopLevelList_ReportsNotAMapping()
    {
        AssertError(SingleError("- testcase: a\n"), 1, 1, "a policy must be a mapping with 'requires' and optionally 'promote', not a list");
    }

    [Fact]
    public void Parse_TopLevelScalar_ReportsNotAMapping()
    {
        AssertError(SingleError("hello"), 1, 1, "a policy must be a mapping with 'requires' and optionally 'promote', not 'hello'");
    }

    [Fact]
    public void Parse_TwoDocuments_ReportsTheSecond()
    {
        AssertError(SingleError("requires: []\n---\nrequires: []\n"), 2, 1, "a policy is a single YAML document; remove this second one");
    }

    [Fact]
    public void Parse_TwoDocumentsAndAnErrorInTheFirst_ReportsBoth()
    {
        var errors = Invalid("requires: []\npromote: sometimes\n---\nrequires: []\n");

        Assert.Equal([(2, 10), (3, 1)], errors.Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public void Parse_UnknownTopLevelKey_ListsTheAllowedKeys()
    {
        AssertError(SingleError("requires: []\npromotion: auto\n"), 2, 1, "unknown key 'promotion'; allowed: requires, promote");
    }

    [Fact]
    public void Parse_RequiresNotAList_ReportsAtTheValue()
    {
        AssertError(SingleError("requires: t_functional\n"), 1, 11, "'requires' must be a list of requirements ([] for none), not 't_functional'");
    }

    [Fact]
    public void Parse_RequiresEmptyValue_ReportsAtTheValue()
    {
        var error = SingleError("requires:\npromote: auto\n");

        Assert.Equal("'requires' must be a list of requirements ([] for none), not empty", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("Auto")]
    [InlineData("automatic")]
    public void Parse_UnknownPromote_ReportsTheValue(string value)
    {
        AssertError(SingleError($"requires: []\npromote: {value}\n"), 2, 10, $"promote must be 'auto' or 'manual', not '{value}'");
    }

    [Fact]
    public void Parse_PromoteList_ReportsWrongType()
    {
        AssertError(SingleError("requires: []\npromote: [auto]\n"), 2, 10, "promote must be 'auto' or 'manual', not a list");
    }

    [Fact]
    public void Parse_DuplicateTopLevelKey_ReportsTheSecond()
    {
        AssertError(SingleError("requires: []\npromote: auto\npromote: manual\n"), 3, 1, "duplicate key 'promote' (first on line 2)");
    }

    // ---- YAML syntax errors ---------------------------------------------------------------------

    [Fact]
    public void Parse_UnterminatedQuote_ReportsYamlDotNetsPosition()
    {
        var error = SingleError("requires:\n  - testcase: 'unterminated\n");

        Assert.Equal((2, 15), (error.Line, error.Column));
        Assert.StartsWith("invalid YAML: ", error.Message);
        Assert.Contains("quoted scalar", error.Message);
    }

    [Fact]
    public void Parse_TabIndentation_ReportsInvalidYaml()
    {
        var error = SingleError("requires:\n\t- testcase: a\n");

        Assert.StartsWith("invalid YAML: ", error.Message);
        Assert.Contains("tab", error.Message);
    }

    [Fact]
    public void Parse_BadIndentation_ReportsTheLine()
    {
        var error = SingleError("requires:\n  - testcase: a\n scenario: x86_64\n");

        Assert.Equal(3, error.Line);
        Assert.StartsWith("invalid YAML: ", error.Message);
    }

    [Fact]
    public void Parse_UnclosedFlowListAcrossLines_ReportsTheOpeningBracket()
    {
        AssertError(SingleError("requires: [a, b\npromote: auto\n"), 1, 11, "invalid YAML: this '[' is never closed with ']'");
    }

    [Fact]
    public void Parse_UnclosedFlowMappingAcrossLines_ReportsTheOpeningBrace()
    {
        AssertError(SingleError("requires:\n  - votes: {min: 2\npromote: auto\n"), 2, 12, "invalid YAML: this '{' is never closed with '}'");
    }

    [Fact]
    public void Parse_UnclosedFlowListAtEnd_ReportsInvalidYaml()
    {
        var error = SingleError("requires: [a, b");

        Assert.StartsWith("invalid YAML: ", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Parse_UndefinedAlias_ReportsTheAlias()
    {
        AssertError(SingleError("requires:\n  - testcase: *name\n"), 2, 15, "invalid YAML: alias '*name' refers to no anchor defined before it");
    }

    // ---- requirement items ----------------------------------------------------------------------

    [Fact]
    public void Parse_ItemNotAMapping_ReportsTheItem()
    {
        AssertError(SingleError("requires:\n  - t_functional\n"), 2, 5,
            "a requirement must be a mapping with one of testcase, checklist, votes, soak, not 't_functional'");
    }

    [Fact]
    public void Parse_ItemWithoutKind_ReportsTheItem()
    {
        AssertError(SingleError("requires:\n  - scenario: x86_64\n"), 2, 5, "a requirement needs one of testcase, checklist, votes, soak");
    }

    [Fact]
    public void Parse_ItemWithMisspelledKind_ReportsOnlyTheUnknownKey()
    {
        AssertError(SingleError("requires:\n  - testcas: t_functional\n"), 2, 5,
            "unknown key 'testcas'; a requirement has one of testcase, checklist, votes, soak");
    }

    [Fact]
    public void Parse_ItemWithSeveralKinds_ReportsTheSecondKindKey()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    checklist: gitpod-workspace\n"), 3, 5,
            "one kind per requirement: 'checklist' cannot be combined with 'testcase'; start a new '- ' item");
    }

    [Fact]
    public void Parse_UnknownKeyInTestcase_ListsTheTestcaseKeys()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    scenerio: x86_64\n"), 3, 5,
            "unknown key 'scenerio' in a testcase requirement; allowed: testcase, scenario, reporters");
    }

    [Fact]
    public void Parse_UnknownKeyInSoak_ListsTheSoakKey()
    {
        AssertError(SingleError("requires:\n  - soak: 2h\n    note: overnight\n"), 3, 5,
            "unknown key 'note' in a soak requirement; allowed: soak");
    }

    [Fact]
    public void Parse_ReportersOnChecklist_ReportsKeyDoesNotApply()
    {
        AssertError(SingleError("requires:\n  - checklist: gitpod-workspace\n    reporters: [alice]\n"), 3, 5,
            "'reporters' does not apply to a checklist requirement; only testcase takes scenario and reporters");
    }

    [Fact]
    public void Parse_ScenarioOnVotes_ReportsKeyDoesNotApply()
    {
        AssertError(SingleError("requires:\n  - votes: {min: 1, role: Tester}\n    scenario: x86_64\n"), 3, 5,
            "'scenario' does not apply to a votes requirement; only testcase takes scenario and reporters");
    }

    [Fact]
    public void Parse_DuplicateKeyInItem_ReportsTheSecond()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    testcase: b\n"), 3, 5, "duplicate key 'testcase' (first on line 2)");
    }

    [Fact]
    public void Parse_NonScalarKey_ReportsTheKey()
    {
        var errors = Invalid("requires:\n  - ? [a, b]\n    : c\n");

        Assert.Contains(new PolicyError(2, 7, "a key must be a plain name, not a list"), errors);
    }

    // ---- testcase -------------------------------------------------------------------------------

    [Fact]
    public void Parse_InvalidTestcaseName_ReportsThePattern()
    {
        AssertError(SingleError("requires:\n  - testcase: 'rdo tempest'\n"), 2, 15,
            "testcase 'rdo tempest' is not a valid name (letters, digits, '.', '_', '-'; at most 200 characters)");
    }

    [Fact]
    public void Parse_TestcaseNameOf201Characters_IsRejected()
    {
        var error = SingleError($"requires:\n  - testcase: {new string('a', 201)}\n");

        Assert.Equal((2, 15), (error.Line, error.Column));
        Assert.EndsWith("is not a valid name (letters, digits, '.', '_', '-'; at most 200 characters)", error.Message);
    }

    [Fact]
    public void Parse_TestcaseNameOf200Characters_IsAccepted()
    {
        var name = new string('a', 200);

        Assert.Equal(name, Assert.IsType<TestcaseRequirement>(Valid($"requires:\n  - testcase: {name}\n").Requires[0]).Testcase);
    }

    [Fact]
    public void Parse_TestcaseBlockScalarWithFinalNewline_IsNotAValidName()
    {
        AssertError(SingleError("requires:\n  - testcase: |\n      t_functional\n"), 2, 15,
            "testcase 't_functional\n' is not a valid name (letters, digits, '.', '_', '-'; at most 200 characters)");
    }

    [Fact]
    public void Parse_SoakBlockScalarWithFinalNewline_IsMalformed()
    {
        Assert.StartsWith("malformed duration '2h\n'", SingleError("requires:\n  - soak: |\n      2h\n").Message);
    }

    [Fact]
    public void Parse_EmptyTestcase_ReportsWrongType()
    {
        AssertError(SingleError("requires:\n  - testcase:\n"), 2, 14, "testcase must be a testcase name, not empty");
    }

    [Fact]
    public void Parse_TestcaseMapping_ReportsWrongType()
    {
        AssertError(SingleError("requires:\n  - testcase: {name: a}\n"), 2, 15, "testcase must be a testcase name, not a mapping");
    }

    [Fact]
    public void Parse_EmptyScenario_ReportsLeaveItOut()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    scenario: ''\n"), 3, 15,
            "scenario must not be empty; leave it out to require every scenario");
    }

    [Fact]
    public void Parse_ScenarioList_ReportsWrongType()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    scenario: [x86_64]\n"), 3, 15, "scenario must be a scenario name, not a list");
    }

    [Fact]
    public void Parse_ReportersScalar_ReportsNotAList()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    reporters: rdo-bot\n"), 3, 16,
            "reporters must be a list of account names such as [rdo-bot], not 'rdo-bot'");
    }

    [Fact]
    public void Parse_ReportersEmptyList_ReportsLeaveItOut()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    reporters: []\n"), 3, 16,
            "reporters must name at least one account; leave it out to accept every reporter");
    }

    [Fact]
    public void Parse_ReportersWithEmptyNames_ReportsEachOne()
    {
        var errors = Invalid("""
            requires:
              - testcase: a
                reporters:
                  - rdo-bot
                  - ''
                  -
                  - [nested]
            """);

        Assert.Collection(errors,
            e => AssertError(e, 5, 9, "a reporter must be a non-empty account name"),
            e => AssertError(e, 6, 8, "a reporter must be an account name, not empty"),
            e => AssertError(e, 7, 9, "a reporter must be an account name, not a list"));
    }

    // ---- checklist ------------------------------------------------------------------------------

    [Fact]
    public void Parse_UnknownTemplate_ListsTheKnownTemplates()
    {
        AssertError(SingleError("requires:\n  - checklist: gitpod\n"), 2, 16,
            "unknown checklist template 'gitpod'; known: fedora-release, gitpod-workspace");
    }

    [Fact]
    public void Parse_UnknownTemplateWithoutAnyTemplates_SaysNoneExist()
    {
        var result = PolicyParser.Parse("requires:\n  - checklist: gitpod\n", new PolicyContext(new HashSet<string>()));

        AssertError(Assert.Single(result.Errors), 2, 16, "unknown checklist template 'gitpod'; no checklist templates exist yet");
    }

    [Fact]
    public void Parse_TemplateNameInOtherCase_IsUnknown()
    {
        Assert.StartsWith("unknown checklist template 'Gitpod-Workspace'", SingleError("requires:\n  - checklist: Gitpod-Workspace\n").Message);
    }

    // ---- votes ----------------------------------------------------------------------------------

    [Fact]
    public void Parse_UnknownRole_ListsTheRoles()
    {
        AssertError(SingleError("requires:\n  - votes: { min: 2, role: Releng }\n"), 2, 28,
            $"unknown role 'Releng'; use one of {RoleList}");
    }

    [Fact]
    public void Parse_RoleInOtherCase_IsUnknown()
    {
        AssertError(SingleError("requires:\n  - votes: { min: 2, role: releaseengineer }\n"), 2, 28,
            $"unknown role 'releaseengineer'; use one of {RoleList}");
    }

    [Theory]
    [InlineData("0", "min must be at least 1, not 0")]
    [InlineData("-1", "min must be at least 1, not -1")]
    [InlineData("two", "min must be a whole number (at least 1), not 'two'")]
    [InlineData("1.5", "min must be a whole number (at least 1), not '1.5'")]
    [InlineData("'2'", "min must be a whole number (at least 1), not the string '2'")]
    [InlineData("99999999999", "min 99999999999 is too large")]
    [InlineData("[2]", "min must be a whole number (at least 1), not a list")]
    [InlineData("~", "min must be a whole number (at least 1), not empty")]
    public void Parse_InvalidMin_ReportsTheValue(string min, string message)
    {
        AssertError(SingleError($"requires:\n  - votes: {{ min: {min}, role: Tester }}\n"), 2, 19, message);
    }

    [Fact]
    public void Parse_VotesWithoutMinAndRole_ReportsBothAtTheMapping()
    {
        var errors = Invalid("requires:\n  - votes: {}\n");

        Assert.Collection(errors,
            e => AssertError(e, 2, 12, "votes needs 'min', the number of +1 votes required (at least 1)"),
            e => AssertError(e, 2, 12, $"votes needs 'role', one of {RoleList}"));
    }

    [Fact]
    public void Parse_VotesScalar_ReportsNotAMapping()
    {
        AssertError(SingleError("requires:\n  - votes: 2\n"), 2, 12, "votes must be a mapping such as { min: 2, role: ReleaseEngineer }, not '2'");
    }

    [Fact]
    public void Parse_UnknownKeyInVotes_ListsMinAndRole()
    {
        AssertError(SingleError("requires:\n  - votes: { min: 2, role: Tester, max: 3 }\n"), 2, 36, "unknown key 'max' in votes; allowed: min, role");
    }

    // ---- soak -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("2 hours")]
    [InlineData("0h")]
    [InlineData("1.5h")]
    [InlineData("7200")]
    [InlineData("30m1h")]
    public void Parse_MalformedDuration_ReportsTheValue(string duration)
    {
        AssertError(SingleError($"requires:\n  - soak: {duration}\n"), 2, 11,
            $"malformed duration '{duration}'; use a positive duration such as 30s, 45m, 2h, 1d, 1h30m or 2d12h");
    }

    [Fact]
    public void Parse_EmptySoak_ReportsWrongType()
    {
        AssertError(SingleError("requires:\n  - soak:\n"), 2, 10, "soak must be a duration such as 2h, not empty");
    }

    // ---- duplicates -----------------------------------------------------------------------------

    [Fact]
    public void Parse_DuplicateTestcase_ReportsTheLaterItem()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n  - testcase: a\n"), 3, 5,
            "duplicate requirement: testcase 'a' is already required on line 2");
    }

    [Fact]
    public void Parse_DuplicateTestcaseAndScenario_ReportsTheLaterItem()
    {
        AssertError(SingleError("requires:\n  - testcase: a\n    scenario: x86_64\n  - testcase: a\n    scenario: x86_64\n    reporters: [b]\n"), 4, 5,
            "duplicate requirement: testcase 'a' (scenario x86_64) is already required on line 2");
    }

    [Fact]
    public void Parse_DuplicateChecklist_ReportsTheLaterItem()
    {
        AssertError(SingleError("requires:\n  - checklist: gitpod-workspace\n  - checklist: gitpod-workspace\n"), 3, 5,
            "duplicate requirement: checklist 'gitpod-workspace' is already required on line 2");
    }

    [Fact]
    public void Parse_TwoVotes_ReportsTheSecond()
    {
        AssertError(SingleError("requires:\n  - votes: {min: 1, role: Tester}\n  - votes: {min: 2, role: Admin}\n"), 3, 5,
            "duplicate requirement: a votes quorum is already required on line 2");
    }

    [Fact]
    public void Parse_TwoSoaks_ReportsTheSecondEvenWhenItIsMalformed()
    {
        var errors = Invalid("requires:\n  - soak: 2h\n  - soak: often\n");

        Assert.Collection(errors,
            e => AssertError(e, 3, 5, "duplicate requirement: a soak time is already required on line 2"),
            e => AssertError(e, 3, 11, "malformed duration 'often'; use a positive duration such as 30s, 45m, 2h, 1d, 1h30m or 2d12h"));
    }

    // ---- several errors at once -----------------------------------------------------------------

    [Fact]
    public void Parse_SeveralErrors_ReportsThemAllInDocumentOrder()
    {
        const string yaml = """
            requires:
              - testcase: t_functional
                reporter: [rdo-bot]
              - checklist: gitpod
              - votes: { min: 0, role: Releng }
              - soak: 2 hours
              - testcase: t_functional
            promote: later
            colour: blue
            """;

        var errors = Invalid(yaml);

        Assert.Collection(errors,
            e => AssertError(e, 3, 5, "unknown key 'reporter' in a testcase requirement; allowed: testcase, scenario, reporters"),
            e => AssertError(e, 4, 16, "unknown checklist template 'gitpod'; known: fedora-release, gitpod-workspace"),
            e => AssertError(e, 5, 19, "min must be at least 1, not 0"),
            e => AssertError(e, 5, 28, $"unknown role 'Releng'; use one of {RoleList}"),
            e => AssertError(e, 6, 11, "malformed duration '2 hours'; use a positive duration such as 30s, 45m, 2h, 1d, 1h30m or 2d12h"),
            e => AssertError(e, 7, 5, "duplicate requirement: testcase 't_functional' is already required on line 2"),
            e => AssertError(e, 8, 10, "promote must be 'auto' or 'manual', not 'later'"),
            e => AssertError(e, 9, 1, "unknown key 'colour'; allowed: requires, promote"));
    }

    [Fact]
    public void Parse_SyntaxErrorAmongOtherProblems_ReportsOnlyTheSyntaxError()
    {
        var error = SingleError("requires:\n  - checklist: unknown\n  - testcase: \"a\\qb\"\n");

        Assert.Equal(3, error.Line);
        Assert.StartsWith("invalid YAML: ", error.Message);
    }

    [Fact]
    public void Parse_ThousandsOfErrors_ListsTheFirstOnesAndCountsTheRest()
    {
        var yaml = "requires:\n" + string.Concat(Enumerable.Range(0, 250).Select(i => $"  - soak: {i}x\n"));

        var errors = Invalid(yaml);

        // 250 malformed durations and 249 duplicates.
        Assert.Equal(PolicyParser.MaxErrors + 1, errors.Count);
        AssertError(errors[^1], 102, 11, "... and 299 more errors");
        AssertError(errors[0], 2, 11, "malformed duration '0x'; use a positive duration such as 30s, 45m, 2h, 1d, 1h30m or 2d12h");
    }

    [Fact]
    public void Parse_DeepNesting_IsRefusedEarly()
    {
        var yaml = "requires: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        AssertError(SingleError(yaml), 1, 42, "invalid YAML: nested more than 32 levels deep");
    }

    [Fact]
    public void PolicyError_ToString_NamesLineAndColumn()
    {
        Assert.Equal("line 3, column 5: oops", new PolicyError(3, 5, "oops").ToString());
    }

    [Fact]
    public void Parse_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => PolicyParser.Parse(null!, Context));
        Assert.Throws<ArgumentNullException>(() => PolicyParser.Parse("requires: []", null!));
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using ComposeGate.Access;
using ComposeGate.Gating;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ComposeGate.Policies;

/// <summary>A problem in a policy's YAML, at the 1-based line and column of the offending node.</summary>
public sealed record PolicyError(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

/// <summary>The outcome of <see cref="PolicyParser.Parse"/>: a policy, or every error found (never both).</summary>
public sealed record PolicyParseResult(PolicyDocument? Policy, IReadOnlyList<PolicyError> Errors)
{
    public bool IsValid => Errors.Count == 0 && Policy is not null;
}

/// <summary>What a policy is validated against.</summary>
/// <param name="KnownTemplates">Names of the checklist templates that exist.</param>
public sealed record PolicyContext(IReadOnlySet<string> KnownTemplates);

/// <summary>
/// Parses and validates a stream policy written in YAML (see PRODUCT.md, "Policy YAML"):
/// <code>
/// requires:
///   - testcase: t_functional
///   - testcase: rdo.tempest.smoke
///     scenario: x86_64
///     reporters: [rdo-bot]
///   - checklist: gitpod-workspace
///   - votes: { min: 2, role: ReleaseEngineer }
///   - soak: 2h
/// promote: auto
/// </code>
/// Pure: no I/O. Every problem is reported at once (up to <see cref="MaxErrors"/>), ordered by position,
/// each at the line and column of the node at fault; a YAML syntax error stops parsing at that point and
/// is the only error reported.
/// </summary>
public static partial class PolicyParser
{
    private const string RequiresKey = "requires";
    private const string PromoteKey = "promote";
    private const string TestcaseKey = "testcase";
    private const string ScenarioKey = "scenario";
    private const string ReportersKey = "reporters";
    private const string ChecklistKey = "checklist";
    private const string VotesKey = "votes";
    private const string SoakKey = "soak";
    private const string MinKey = "min";
    private const string RoleKey = "role";

    private static readonly string[] TopLevelKeys = [RequiresKey, PromoteKey];
    private static readonly string[] KindKeys = [TestcaseKey, ChecklistKey, VotesKey, SoakKey];
    private static readonly string[] TestcaseKeys = [TestcaseKey, ScenarioKey, ReportersKey];
    private static readonly string[] VotesKeys = [MinKey, RoleKey];

    private static readonly string RoleList = string.Join(", ", Roles.All);
    private const string DurationHint = "use a positive duration such as 30s, 45m, 2h, 1d, 1h30m or 2d12h";
    private const int MaxListedTemplates = 10;

    /// <summary>At most this many errors are listed; one more says how many were left out.</summary>
    public const int MaxErrors = 200;

    /// <summary>A policy nests four levels deep; far deeper input is refused early (YamlDotNet slows down quadratically with flow depth).</summary>
    private const int MaxDepth = 32;

    /// <summary>Parses <paramref name="yaml"/> and validates it against <paramref name="context"/>.</summary>
    public static PolicyParseResult Parse(string yaml, PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(context);

        var errors = new List<PolicyError>();
        var loaded = Load(yaml, errors);
        PolicyDocument? policy = null;
        if (loaded.Complete)
        {
            policy = new Validator(context, errors).Validate(loaded.Root);
        }

        var ordered = errors
            .Distinct()
            .OrderBy(e => e.Line)
            .ThenBy(e => e.Column)
            .ToList();
        if (ordered.Count > MaxErrors)
        {
            var next = ordered[MaxErrors];
            var more = ordered.Count - MaxErrors;
            ordered = [.. ordered.Take(MaxErrors), new PolicyError(next.Line, next.Column, $"... and {more} more {(more == 1 ? "error" : "errors")}")];
        }
        return ordered.Count == 0 && policy is not null
            ? new PolicyParseResult(policy, [])
            : new PolicyParseResult(null, ordered);
    }

    /// <summary>
    /// Parses a soak duration: one or more of <c>&lt;n&gt;d</c>, <c>&lt;n&gt;h</c>, <c>&lt;n&gt;m</c>,
    /// <c>&lt;n&gt;s</c> in that order (<c>30s</c>, <c>45m</c>, <c>1h30m</c>, <c>2d12h</c>), positive.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var match = DurationRegex().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return false;
        }

        var multipliers = new (string Group, long Seconds)[] { ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1) };
        long total = 0;
        foreach (var (group, seconds) in multipliers)
        {
            var value = match.Groups[group];
            if (!value.Success)
            {
                continue;
            }
            // At most 9 digits per part: the total stays far below long.MaxValue.
            total += long.Parse(value.Value, NumberStyles.None, CultureInfo.InvariantCulture) * seconds;
        }

        if (total <= 0 || total > (long)TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    [GeneratedRegex(@"^(?:(?<d>[0-9]{1,9})d)?(?:(?<h>[0-9]{1,9})h)?(?:(?<m>[0-9]{1,9})m)?(?:(?<s>[0-9]{1,9})s)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationRegex();

    [GeneratedRegex(Result.TestcasePattern, RegexOptions.CultureInvariant)]
    private static partial Regex TestcaseRegex();

    [GeneratedRegex(@"^[-+]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerRegex();

    // ---------------------------------------------------------------------------------------------
    // Loading: YamlDotNet parser events → a small node tree that keeps every node's position and,
    // unlike YamlDotNet's representation model, lets duplicate keys through to be reported with the rest.

    private abstract class Node(Mark start)
    {
        public int Line { get; } = (int)start.Line;
        public int Column { get; } = (int)start.Column;
    }

    private sealed class ScalarNode(Mark start, string value, ScalarStyle style, string? tag) : Node(start)
    {
        private const string NullTag = "tag:yaml.org,2002:null";
        private const string IntTag = "tag:yaml.org,2002:int";

        public string Value { get; } = value;

        /// <summary>An unquoted scalar without a tag, whose type YAML infers from its text.</summary>
        public bool IsPlain { get; } = style == ScalarStyle.Plain && tag is null;

        public bool IsNull =>
            tag == NullTag || (IsPlain && Value is "" or "~" or "null" or "Null" or "NULL");

        public bool IsIntegerTagged => tag == IntTag;
    }

    private sealed class SequenceNode(Mark start, bool flow) : Node(start)
    {
        public bool Flow { get; } = flow;
        public List<Node> Items { get; } = [];
    }

    private sealed class MappingNode(Mark start, bool flow) : Node(start)
    {
        public bool Flow { get; } = flow;
        public List<KeyValuePair<Node, Node>> Entries { get; } = [];
        public Node? PendingKey { get; set; }
    }

    private readonly record struct Loaded(Node? Root, bool Complete);

    private static Loaded Load(string yaml, List<PolicyError> errors)
    {
        if (yaml.Length > 0 && yaml[0] == '\uFEFF')
        {
            yaml = yaml[1..];
        }

        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<Node>();
        var anchors = new Dictionary<string, Node>(StringComparer.Ordinal);
        Node? root = null;
        var documents = 0;
        var last = Mark.Empty;

        void Emit(Node node, AnchorName anchor)
        {
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = node;
            }
            if (open.Count == 0)
            {
                root = node;
                return;
            }
            switch (open.Peek())
            {
                case SequenceNode sequence:
                    sequence.Items.Add(node);
                    break;
                case MappingNode { PendingKey: null } mapping:
                    mapping.PendingKey = node;
                    break;
                case MappingNode mapping:
                    mapping.Entries.Add(new(mapping.PendingKey!, node));
                    mapping.PendingKey = null;
                    break;
            }
        }

        var collectionAnchors = new Stack<AnchorName>();
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                last = current.Start;
                switch (current)
                {
                    case DocumentStart:
                        documents++;
                        if (documents > 1)
                        {
                            errors.Add(Error(current.Start, "a policy is a single YAML document; remove this second one"));
                            return new Loaded(root, true);
                        }
                        break;
                    case Scalar scalar:
                        Emit(new ScalarNode(scalar.Start, scalar.Value, scalar.Style, TagOf(scalar.Tag)), scalar.Anchor);
                        break;
                    case SequenceStart or MappingStart when open.Count >= MaxDepth:
                        errors.Add(Error(current.Start, $"invalid YAML: nested more than {MaxDepth} levels deep"));
                        return new Loaded(null, false);
                    case SequenceStart start:
                        open.Push(new SequenceNode(start.Start, start.Style == SequenceStyle.Flow));
                        collectionAnchors.Push(start.Anchor);
                        break;
                    case MappingStart start:
                        open.Push(new MappingNode(start.Start, start.Style == MappingStyle.Flow));
                        collectionAnchors.Push(start.Anchor);
                        break;
                    case SequenceEnd or MappingEnd:
                        var done = open.Pop();
                        Emit(done, collectionAnchors.Pop());
                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            errors.Add(Error(alias.Start, $"invalid YAML: alias '*{alias.Value.Value}' refers to no anchor defined before it"));
                            return new Loaded(null, false);
                        }
                        Emit(target, AnchorName.Empty);
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            errors.Add(Error(e.Start, $"invalid YAML: {Sentence(e.Message)}"));
            return new Loaded(null, false);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16 throws this (rather than a YamlException) for some unterminated flow collections.
            var flow = open.FirstOrDefault(n => n is SequenceNode { Flow: true } or MappingNode { Flow: true });
            errors.Add(flow switch
            {
                SequenceNode => new PolicyError(flow.Line, flow.Column, "invalid YAML: this '[' is never closed with ']'"),
                MappingNode => new PolicyError(flow.Line, flow.Column, "invalid YAML: this '{' is never closed with '}'"),
                _ => Error(last, "invalid YAML near here"),
            });
            return new Loaded(null, false);
        }

        return new Loaded(root, true);
    }

    private static string? TagOf(TagName tag) => tag.IsEmpty || tag.IsNonSpecific ? null : tag.Value;

    private static string Sentence(string message) =>
        message.Length == 0 ? "syntax error" : char.ToLowerInvariant(message[0]) + message[1..].TrimEnd('.');

    private static PolicyError Error(Mark mark, string message) =>
        new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column), message);

    // ---------------------------------------------------------------------------------------------
    // Validation.

    private sealed class Validator(PolicyContext context, List<PolicyError> errors)
    {
        public PolicyDocument? Validate(Node? root)
        {
            if (root is null || root is ScalarNode { IsNull: true })
            {
                Add(1, 1, "the policy is empty; it needs 'requires' (a list of requirements, [] for none) and optionally 'promote'");
                return null;
            }
            if (root is not MappingNode mapping)
            {
                Add(root, $"a policy must be a mapping with 'requires' and optionally 'promote', not {Describe(root)}");
                return null;
            }

            var entries = Entries(mapping);
            foreach (var (key, _) in entries)
            {
                if (!TopLevelKeys.Contains(key.Value))
                {
                    Add(key, $"unknown key '{key.Value}'; allowed: {string.Join(", ", TopLevelKeys)}");
                }
            }

            var promote = PromoteMode.Auto;
            if (Find(entries, PromoteKey) is { } promoteNode)
            {
                promote = ReadPromote(promoteNode);
            }

            List<Requirement>? requires = null;
            if (Find(entries, RequiresKey) is { } requiresNode)
            {
                requires = ReadRequires(requiresNode);
            }
            else
            {
                Add(mapping, "the policy needs 'requires' (a list of requirements, [] for none)");
            }

            return requires is null ? null : new PolicyDocument(requires, promote);
        }

        private PromoteMode ReadPromote(Node node)
        {
            if (node is ScalarNode { IsNull: false } scalar)
            {
                switch (scalar.Value)
                {
                    case "auto":
                        return PromoteMode.Auto;
                    case "manual":
                        return PromoteMode.Manual;
                }
                Add(node, $"promote must be 'auto' or 'manual', not '{scalar.Value}'");
            }
            else
            {
                Add(node, $"promote must be 'auto' or 'manual', not {Describe(node)}");
            }
            return PromoteMode.Auto;
        }

        private List<Requirement>? ReadRequires(Node node)
        {
            if (node is not SequenceNode sequence)
            {
                Add(node, $"'requires' must be a list of requirements ([] for none), not {Describe(node)}");
                return null;
            }

            var requirements = new List<Requirement>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in sequence.Items)
            {
                var (requirement, identity, description) = ReadRequirement(item);
                if (identity is not null)
                {
                    if (seen.TryGetValue(identity, out var firstLine))
                    {
                        Add(item, $"duplicate requirement: {description} is already required on line {firstLine}");
                        continue;
                    }
                    seen[identity] = item.Line;
                }
                if (requirement is not null)
                {
                    requirements.Add(requirement);
                }
            }
            return requirements;
        }

        /// <summary>
        /// Reads one item. Returns the requirement when it is valid, and — whenever it can be told, even for
        /// an invalid item — an identity that two duplicate requirements share.
        /// </summary>
        private (Requirement? Requirement, string? Identity, string Description) ReadRequirement(Node item)
        {
            var kindsHint = string.Join(", ", KindKeys);
            if (item is not MappingNode mapping)
            {
                Add(item, $"a requirement must be a mapping with one of {kindsHint}, not {Describe(item)}");
                return (null, null, "");
            }

            var entries = Entries(mapping);
            var kinds = entries.Where(e => KindKeys.Contains(e.Key.Value)).ToList();
            var kind = kinds.Count > 0 ? kinds[0].Key.Value : null;
            string[] allowed = kind switch
            {
                null => KindKeys,
                TestcaseKey => TestcaseKeys,
                _ => [kind],
            };

            var unknown = false;
            foreach (var (key, _) in entries)
            {
                if (KindKeys.Contains(key.Value))
                {
                    continue;
                }
                if (key.Value is ScenarioKey or ReportersKey)
                {
                    if (kind is not null && kind != TestcaseKey)
                    {
                        Add(key, $"'{key.Value}' does not apply to a {kind} requirement; only testcase takes scenario and reporters");
                    }
                    continue;
                }
                unknown = true;
                Add(key, kind is null
                    ? $"unknown key '{key.Value}'; a requirement has one of {kindsHint}"
                    : $"unknown key '{key.Value}' in a {kind} requirement; allowed: {string.Join(", ", allowed)}");
            }

            if (kind is null)
            {
                if (!unknown)
                {
                    Add(mapping, $"a requirement needs one of {kindsHint}");
                }
                return (null, null, "");
            }
            foreach (var (key, _) in kinds.Skip(1))
            {
                Add(key, $"one kind per requirement: '{key.Value}' cannot be combined with '{kind}'; start a new '- ' item");
            }

            var valueNode = kinds[0].Value;
            var (requirement, identity, description) = kind switch
            {
                TestcaseKey => ReadTestcase(mapping, valueNode, entries),
                ChecklistKey => ReadChecklist(mapping, valueNode),
                VotesKey => ReadVotes(mapping, valueNode),
                _ => ReadSoak(mapping, valueNode),
            };
            return kinds.Count > 1 || unknown ? (null, identity, description) : (requirement, identity, description);
        }

        private (Requirement?, string?, string) ReadTestcase(MappingNode item, Node value, List<(ScalarNode Key, Node Value)> entries)
        {
            var name = ReadString(value, TestcaseKey, "a testcase name");
            var valid = name is not null;
            // Result.TestcasePattern ends in '$', which also matches before a final newline (a YAML block scalar).
            if (name is not null && (!TestcaseRegex().IsMatch(name) || name.Contains('\n')))
            {
                Add(value, $"testcase '{Truncate(name)}' is not a valid name (letters, digits, '.', '_', '-'; at most 200 characters)");
                valid = false;
            }

            string? scenario = null;
            var scenarioOk = true;
            if (Find(entries, ScenarioKey) is { } scenarioNode)
            {
                scenario = ReadString(scenarioNode, ScenarioKey, "a scenario name");
                if (scenario is null)
                {
                    scenarioOk = false;
                }
                else if (string.IsNullOrWhiteSpace(scenario))
                {
                    Add(scenarioNode, "scenario must not be empty; leave it out to require every scenario");
                    scenarioOk = false;
                    scenario = null;
                }
            }
            valid &= scenarioOk;

            var reporters = new List<string>();
            if (Find(entries, ReportersKey) is { } reportersNode)
            {
                valid &= ReadReporters(reportersNode, reporters);
            }

            string? identity = null;
            var description = "";
            if (name is not null && scenarioOk)
            {
                identity = $"testcase\n{name}\n{scenario}";
                description = scenario is null ? $"testcase '{name}'" : $"testcase '{name}' (scenario {scenario})";
            }
            return (valid ? new TestcaseRequirement(name!, scenario, reporters, item.Line) : null, identity, description);
        }

        private bool ReadReporters(Node node, List<string> reporters)
        {
            if (node is not SequenceNode sequence)
            {
                Add(node, $"reporters must be a list of account names such as [rdo-bot], not {Describe(node)}");
                return false;
            }
            if (sequence.Items.Count == 0)
            {
                Add(node, "reporters must name at least one account; leave it out to accept every reporter");
                return false;
            }

            var valid = true;
            foreach (var item in sequence.Items)
            {
                var reporter = ReadString(item, "a reporter", "an account name");
                if (reporter is null)
                {
                    valid = false;
                }
                else if (string.IsNullOrWhiteSpace(reporter))
                {
                    Add(item, "a reporter must be a non-empty account name");
                    valid = false;
                }
                else if (!reporters.Contains(reporter, StringComparer.Ordinal))
                {
                    reporters.Add(reporter);
                }
            }
            return valid;
        }

        private (Requirement?, string?, string) ReadChecklist(MappingNode item, Node value)
        {
            var template = ReadString(value, ChecklistKey, "a checklist template name");
            if (template is null)
            {
                return (null, null, "");
            }

            var identity = $"checklist\n{template}";
            var description = $"checklist '{template}'";
            if (!context.KnownTemplates.Contains(template))
            {
                var known = context.KnownTemplates.Order(StringComparer.Ordinal).ToArray();
                var hint = known.Length switch
                {
                    0 => "no checklist templates exist yet",
                    <= MaxListedTemplates => $"known: {string.Join(", ", known)}",
                    _ => $"known: {string.Join(", ", known.Take(MaxListedTemplates))}, …",
                };
                Add(value, $"unknown checklist template '{Truncate(template)}'; {hint}");
                return (null, identity, description);
            }
            return (new ChecklistRequirement(template, item.Line), identity, description);
        }

        private (Requirement?, string?, string) ReadVotes(MappingNode item, Node value)
        {
            const string identity = "votes";
            const string description = "a votes quorum";
            if (value is not MappingNode votes)
            {
                Add(value, $"votes must be a mapping such as {{ min: 2, role: {Roles.ReleaseEngineer} }}, not {Describe(value)}");
                return (null, identity, description);
            }

            var entries = Entries(votes);
            foreach (var (key, _) in entries)
            {
                if (!VotesKeys.Contains(key.Value))
                {
                    Add(key, $"unknown key '{key.Value}' in votes; allowed: {string.Join(", ", VotesKeys)}");
                }
            }

            int? min = null;
            if (Find(entries, MinKey) is { } minNode)
            {
                min = ReadMin(minNode);
            }
            else
            {
                Add(votes, "votes needs 'min', the number of +1 votes required (at least 1)");
            }

            string? role = null;
            if (Find(entries, RoleKey) is { } roleNode)
            {
                role = ReadString(roleNode, RoleKey, "a role");
                if (role is not null && !Roles.IsKnown(role))
                {
                    Add(roleNode, $"unknown role '{Truncate(role)}'; use one of {RoleList}");
                    role = null;
                }
            }
            else
            {
                Add(votes, $"votes needs 'role', one of {RoleList}");
            }

            return min is { } m && role is not null
                ? (new VotesRequirement(m, role, item.Line), identity, description)
                : (null, identity, description);
        }

        private int? ReadMin(Node node)
        {
            if (node is not ScalarNode { IsNull: false } scalar)
            {
                Add(node, $"min must be a whole number (at least 1), not {Describe(node)}");
                return null;
            }
            if (!(scalar.IsPlain || scalar.IsIntegerTagged) || !IntegerRegex().IsMatch(scalar.Value))
            {
                Add(node, scalar.IsPlain
                    ? $"min must be a whole number (at least 1), not '{Truncate(scalar.Value)}'"
                    : $"min must be a whole number (at least 1), not the string '{Truncate(scalar.Value)}'");
                return null;
            }
            if (!int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var min))
            {
                Add(node, $"min {Truncate(scalar.Value)} is too large");
                return null;
            }
            if (min < 1)
            {
                Add(node, $"min must be at least 1, not {min}");
                return null;
            }
            return min;
        }

        private (Requirement?, string?, string) ReadSoak(MappingNode item, Node value)
        {
            const string identity = "soak";
            const string description = "a soak time";
            var text = ReadString(value, SoakKey, "a duration such as 2h");
            if (text is null)
            {
                return (null, identity, description);
            }
            if (!TryParseDuration(text, out var duration))
            {
                Add(value, $"malformed duration '{Truncate(text)}'; {DurationHint}");
                return (null, identity, description);
            }
            return (new SoakRequirement(duration, item.Line), identity, description);
        }

        /// <summary>The value of a scalar, or null (with an error) for null, a list or a mapping.</summary>
        private string? ReadString(Node node, string what, string expected)
        {
            if (node is ScalarNode { IsNull: false } scalar)
            {
                return scalar.Value;
            }
            Add(node, $"{what} must be {expected}, not {Describe(node)}");
            return null;
        }

        /// <summary>A mapping's entries with scalar keys; other keys and repeated keys are reported and left out.</summary>
        private List<(ScalarNode Key, Node Value)> Entries(MappingNode mapping)
        {
            var entries = new List<(ScalarNode, Node)>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (key, value) in mapping.Entries)
            {
                if (key is not ScalarNode { IsNull: false } scalar)
                {
                    Add(key, $"a key must be a plain name, not {Describe(key)}");
                    continue;
                }
                if (seen.TryGetValue(scalar.Value, out var line))
                {
                    Add(key, $"duplicate key '{Truncate(scalar.Value)}' (first on line {line})");
                    continue;
                }
                seen[scalar.Value] = key.Line;
                entries.Add((scalar, value));
            }
            return entries;
        }

        private static Node? Find(List<(ScalarNode Key, Node Value)> entries, string key)
        {
            foreach (var entry in entries)
            {
                if (entry.Key.Value == key)
                {
                    return entry.Value;
                }
            }
            return null;
        }

        private static string Describe(Node node) => node switch
        {
            ScalarNode { IsNull: true } => "empty",
            ScalarNode scalar => $"'{Truncate(scalar.Value)}'",
            SequenceNode => "a list",
            _ => "a mapping",
        };

        private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

        private void Add(Node node, string message) => Add(node.Line, node.Column, message);

        private void Add(int line, int column, string message) => errors.Add(new PolicyError(line, column, message));
    }
}

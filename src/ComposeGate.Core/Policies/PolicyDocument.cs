namespace ComposeGate.Policies;

/// <summary>What happens once a candidate's decision is satisfied.</summary>
public enum PromoteMode
{
    /// <summary>Promote as soon as the decision is satisfied.</summary>
    Auto,

    /// <summary>Wait for a release engineer to press promote.</summary>
    Manual,
}

/// <summary>One item of a policy's <c>requires</c> list.</summary>
/// <param name="Line">1-based line of the item in the policy YAML.</param>
public abstract record Requirement(int Line);

/// <summary>
/// The latest result of <paramref name="Testcase"/> must pass. With a <paramref name="Scenario"/>, only
/// results of that scenario count; without one, the latest result of every reported scenario must pass.
/// When <paramref name="Reporters"/> is not empty, only results reported by those accounts count.
/// </summary>
public sealed record TestcaseRequirement(string Testcase, string? Scenario, IReadOnlyList<string> Reporters, int Line)
    : Requirement(Line);

/// <summary>The latest run of the checklist template <paramref name="Template"/> must have every required item passed.</summary>
public sealed record ChecklistRequirement(string Template, int Line) : Requirement(Line);

/// <summary>At least <paramref name="Min"/> × +1 from voters holding <paramref name="Role"/> or better; any −1 blocks.</summary>
public sealed record VotesRequirement(int Min, string Role, int Line) : Requirement(Line);

/// <summary>The candidate must be at least <paramref name="Duration"/> old.</summary>
public sealed record SoakRequirement(TimeSpan Duration, int Line) : Requirement(Line);

/// <summary>A parsed, validated stream policy. Requirements keep the order they were written in.</summary>
public sealed record PolicyDocument(IReadOnlyList<Requirement> Requires, PromoteMode Promote);

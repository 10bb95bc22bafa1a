namespace ComposeGate.Gating;

/// <summary>
/// A test result reported for a candidate. Append-only, as in ResultsDB: the latest result per
/// (testcase, scenario) is the one that counts.
/// </summary>
public sealed class Result
{
    /// <summary>Dotted namespace of letters, digits, <c>.</c>, <c>_</c>, <c>-</c>; at most 200 characters.</summary>
    public const string TestcasePattern = "^[A-Za-z0-9._-]{1,200}$";

    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public required string Testcase { get; set; }
    /// <summary>Arch or variant the result applies to; empty when the result is for the whole candidate.</summary>
    public string Scenario { get; set; } = "";
    public Outcome Outcome { get; set; }
    /// <summary>The account that reported it (user name or bot token name).</summary>
    public required string Reporter { get; set; }
    public string? RefUrl { get; set; }
    public string? Note { get; set; }
    /// <summary>Key/value data as a JSON object of string arrays (the ResultsDB shape).</summary>
    public string? Data { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>ResultsDB outcomes. PASSED and INFO pass; QUEUED and RUNNING are pending; ERROR is errored; the rest fail.</summary>
public enum Outcome
{
    Passed,
    Info,
    Failed,
    NeedsInspection,
    Error,
    Queued,
    Running,
}

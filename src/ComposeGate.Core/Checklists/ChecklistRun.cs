namespace ComposeGate.Checklists;

/// <summary>A tester's pass through one checklist template version for one candidate.</summary>
public sealed class ChecklistRun
{
    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public int TemplateId { get; set; }
    public ChecklistTemplate Template { get; set; } = null!;
    public required string StartedBy { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>Set once every required item has a state.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    public List<ChecklistItemState> ItemStates { get; set; } = [];
}

/// <summary>
/// What a tester recorded for one item of a run. Append-only: the latest entry per item counts, and
/// the earlier ones are its history.
/// </summary>
public sealed class ChecklistItemState
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public required string ItemKey { get; set; }
    public ChecklistItemOutcome State { get; set; }
    public string Comment { get; set; } = "";
    public required string RecordedBy { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

public enum ChecklistItemOutcome
{
    Passed,
    Failed,
    Skipped,
}

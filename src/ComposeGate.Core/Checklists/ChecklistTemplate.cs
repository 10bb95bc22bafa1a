namespace ComposeGate.Checklists;

/// <summary>
/// A manual test checklist. Editing a template creates a new version; runs stay pinned to the version
/// they were started with.
/// </summary>
public sealed class ChecklistTemplate
{
    public const string NamePattern = "^[a-z0-9][a-z0-9._-]{0,99}$";

    public int Id { get; set; }
    public required string Name { get; set; }
    public int Version { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    public List<ChecklistItem> Items { get; set; } = [];
}

/// <summary>One step of a checklist template, in order, with Markdown instructions.</summary>
public sealed class ChecklistItem
{
    public int Id { get; set; }
    public int TemplateId { get; set; }
    public int Position { get; set; }
    /// <summary>Stable key of the item across template versions (used in URLs and the API).</summary>
    public required string Key { get; set; }
    public required string Title { get; set; }
    public string Instructions { get; set; } = "";
    public bool Required { get; set; }
}

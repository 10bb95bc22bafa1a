using System.Security.Claims;
using System.Text.RegularExpressions;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Checklists;
using ComposeGate.Data;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Candidates;
using ComposeGate.Web.Features.Decisions;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Checklists;

/// <summary>
/// Manual test checklists: templates (versioned: an edit is a new version; runs keep theirs) and per-candidate
/// runs that testers fill in item by item. A run with every required item passed satisfies
/// <c>checklist: &lt;name&gt;</c>; a failed required item fails it.
/// </summary>
public sealed partial class ChecklistService(IDbContextFactory<AppDbContext> dbFactory, DecisionService decisions, TimeProvider clock)
{
    public const int MaxItems = 100;
    public const int MaxInstructionsLength = 20_000;
    public const int MaxCommentLength = 4_000;

    public async Task<IReadOnlyList<TemplateView>> ListTemplatesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var templates = await db.ChecklistTemplates.AsNoTracking().Include(t => t.Items).ToListAsync(ct);
        return templates.GroupBy(t => t.Name).Select(g => ToView(g.MaxBy(t => t.Version)!, g.Count()))
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<TemplateView?> GetTemplateAsync(string name, int? version = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var versions = await db.ChecklistTemplates.AsNoTracking().Where(t => t.Name == name).Include(t => t.Items).ToListAsync(ct);
        var template = version is null ? versions.MaxBy(t => t.Version) : versions.SingleOrDefault(t => t.Version == version);
        return template is null ? null : ToView(template, versions.Count);
    }

    /// <summary>Creates a template, or a new version of it when anything changed; the same content again changes nothing.</summary>
    public async Task<Outcome<SavedTemplate>> SaveTemplateAsync(ClaimsPrincipal actor, TemplateRequest request, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<SavedTemplate>.Forbidden("Only admins may edit checklist templates.");
        }
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? "";
        errors.AddIf(!TemplateName().IsMatch(name), "name", "Use 1-100 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.");
        var title = request.Title?.Trim() ?? "";
        errors.AddIf(title.Length is 0 or > 200, "title", "A title of 1-200 characters is required.");
        errors.AddIf(request.Description is { Length: > MaxInstructionsLength }, "description", $"At most {MaxInstructionsLength} characters.");
        var items = request.Items ?? [];
        errors.AddIf(items.Count is 0 or > MaxItems, "items", $"A checklist has 1 to {MaxItems} items.");
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                errors.Add($"items[{i}]", "Each item is an object {\"key\",\"title\",\"instructions\",\"required\"}.");
                continue;
            }
            errors.AddIf(item.Key is null || !ItemKey().IsMatch(item.Key), $"items[{i}].key", "Use 1-64 lower-case letters, digits, '.', '_' or '-'.");
            errors.AddIf(string.IsNullOrWhiteSpace(item.Title) || item.Title.Length > 300, $"items[{i}].title", "A title of 1-300 characters is required.");
            errors.AddIf(item.Instructions is { Length: > MaxInstructionsLength }, $"items[{i}].instructions", $"At most {MaxInstructionsLength} characters.");
        }
        foreach (var duplicate in items.OfType<TemplateItemRequest>().GroupBy(i => i.Key).Where(g => g.Key is not null && g.Count() > 1))
        {
            errors.Add("items", $"The key '{duplicate.Key}' is used more than once.");
        }
        if (errors.Any)
        {
            return errors;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var latest = await db.ChecklistTemplates.Include(t => t.Items).Where(t => t.Name == name)
            .OrderByDescending(t => t.Version).FirstOrDefaultAsync(ct);
        var wanted = items.OfType<TemplateItemRequest>().Select((item, i) => new ChecklistItem
        {
            Position = i,
            Key = item.Key!,
            Title = item.Title!.Trim(),
            Instructions = item.Instructions?.Trim() ?? "",
            Required = item.Required ?? true,
        }).ToList();
        var description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        if (latest is not null && latest.Title == title && latest.Description == description && SameItems(latest.Items, wanted))
        {
            return new SavedTemplate(ToView(latest, latest.Version), Created: false);
        }
        var now = clock.GetUtcNow();
        var template = new ChecklistTemplate
        {
            Name = name,
            Version = (latest?.Version ?? 0) + 1,
            Title = title,
            Description = description,
            CreatedAt = now,
            CreatedBy = Actor.NameOf(actor),
            Items = wanted,
        };
        db.ChecklistTemplates.Add(template);
        db.Record(now, template.CreatedBy, "checklist.saved", $"Saved checklist template '{name}' version {template.Version} ({wanted.Count} items)",
            data: new { name, template.Version });
        await db.SaveChangesAsync(ct);
        return new SavedTemplate(ToView(template, template.Version), Created: true);
    }

    public async Task<Outcome<RunView>> StartRunAsync(ClaimsPrincipal actor, string candidateId, string? templateName, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Tester))
        {
            return new Outcome<RunView>.Forbidden("Checklists are filled in by testers (the Tester role or above).");
        }
        if (string.IsNullOrWhiteSpace(templateName))
        {
            return new FieldErrors().Add("template", "Name the checklist template to run.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var streamId = await db.StreamIdOfAsync(candidateId, ct);
        if (streamId is null)
        {
            return new Outcome<RunView>.NotFound($"No candidate '{candidateId}'.");
        }
        var template = await db.ChecklistTemplates.Where(t => t.Name == templateName).OrderByDescending(t => t.Version).FirstOrDefaultAsync(ct);
        if (template is null)
        {
            return new FieldErrors().Add("template", $"No checklist template '{templateName}'.");
        }
        var now = clock.GetUtcNow();
        var run = new ChecklistRun { CandidateId = candidateId, TemplateId = template.Id, StartedBy = Actor.NameOf(actor), StartedAt = now };
        db.ChecklistRuns.Add(run);
        await db.SaveChangesAsync(ct);
        db.Record(now, run.StartedBy, "checklist.started", $"Started checklist '{template.Name}' (version {template.Version}), run {run.Id}",
            candidateId: candidateId, streamId: streamId, data: new { run.Id, template.Name, template.Version });
        await db.SaveChangesAsync(ct);
        await decisions.RecomputeAsync(candidateId, run.StartedBy, ct);
        return (await GetRunAsync(run.Id, ct))!;
    }

    public async Task<Outcome<RunView>> RecordItemAsync(ClaimsPrincipal actor, long runId, string key, string? state, string? comment, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Tester))
        {
            return new Outcome<RunView>.Forbidden("Checklists are filled in by testers (the Tester role or above).");
        }
        var errors = new FieldErrors();
        ChecklistItemOutcome outcome = default;
        errors.AddIf(state is null || !Enum.TryParse(state, ignoreCase: true, out outcome) || int.TryParse(state, out _), "state",
            "The state is passed, failed or skipped.");
        errors.AddIf(comment is { Length: > MaxCommentLength }, "comment", $"At most {MaxCommentLength} characters.");
        if (errors.Any)
        {
            return errors;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.ChecklistRuns.Include(r => r.Template).ThenInclude(t => t.Items).Include(r => r.ItemStates)
            .SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null)
        {
            return new Outcome<RunView>.NotFound($"No checklist run {runId}.");
        }
        var item = run.Template.Items.SingleOrDefault(i => i.Key == key);
        if (item is null)
        {
            return new Outcome<RunView>.NotFound($"Checklist '{run.Template.Name}' version {run.Template.Version} has no item '{key}'.");
        }
        var now = clock.GetUtcNow();
        var by = Actor.NameOf(actor);
        run.ItemStates.Add(new ChecklistItemState { ItemKey = key, State = outcome, Comment = comment?.Trim() ?? "", RecordedBy = by, RecordedAt = now });
        var streamId = await db.Candidates.Where(c => c.Id == run.CandidateId).Select(c => c.StreamId).SingleAsync(ct);
        var done = run.ItemStates.Select(s => s.ItemKey).Distinct().Count();
        db.Record(now, by, "checklist.item", $"{run.Template.Name}: '{item.Title}' {outcome.ToString().ToLowerInvariant()}{(string.IsNullOrWhiteSpace(comment) ? "" : $" — {comment.Trim()}")} ({done}/{run.Template.Items.Count})",
            candidateId: run.CandidateId, streamId: streamId, data: new { run = run.Id, key, state = outcome, comment });
        var required = run.Template.Items.Where(i => i.Required).Select(i => i.Key);
        if (run.FinishedAt is null && required.All(k => run.ItemStates.Any(s => s.ItemKey == k)))
        {
            run.FinishedAt = now;
            db.Record(now, by, "checklist.finished", $"Finished checklist '{run.Template.Name}', run {run.Id}",
                candidateId: run.CandidateId, streamId: streamId, data: new { run = run.Id });
        }
        await db.SaveChangesAsync(ct);
        await decisions.RecomputeAsync(run.CandidateId, by, ct);
        return (await GetRunAsync(runId, ct))!;
    }

    public async Task<RunView?> GetRunAsync(long runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.ChecklistRuns.AsNoTracking().Include(r => r.Template).ThenInclude(t => t.Items).Include(r => r.ItemStates)
            .AsSplitQuery().SingleOrDefaultAsync(r => r.Id == runId, ct);
        return run is null ? null : ToView(run);
    }

    public async Task<IReadOnlyList<RunView>> ListRunsAsync(string candidateId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = await db.ChecklistRuns.AsNoTracking().Where(r => r.CandidateId == candidateId)
            .Include(r => r.Template).ThenInclude(t => t.Items).Include(r => r.ItemStates).AsSplitQuery()
            .OrderByDescending(r => r.StartedAt).ToListAsync(ct);
        return runs.Select(ToView).ToList();
    }

    private static RunView ToView(ChecklistRun run)
    {
        var latest = run.ItemStates.GroupBy(s => s.ItemKey).ToDictionary(g => g.Key, g => g.MaxBy(s => s.Id)!);
        var items = run.Template.Items.OrderBy(i => i.Position).Select(i =>
        {
            latest.TryGetValue(i.Key, out var state);
            return new RunItemView(i.Key, i.Title, i.Instructions, i.Required, state?.State.ToString().ToLowerInvariant(), state?.Comment,
                state?.RecordedBy, state?.RecordedAt, run.ItemStates.Count(s => s.ItemKey == i.Key));
        }).ToList();
        var required = items.Where(i => i.Required).ToList();
        var outcome = required.Any(i => i.State == "failed") ? "failed"
            : required.All(i => i.State == "passed") ? "passed"
            : "in progress";
        return new RunView(run.Id, run.CandidateId, run.Template.Name, run.Template.Version, run.Template.Title, run.Template.Description,
            run.StartedBy, run.StartedAt, run.FinishedAt, outcome, items.Count(i => i.State is not null), items.Count, items);
    }

    private static bool SameItems(IEnumerable<ChecklistItem> existing, IReadOnlyList<ChecklistItem> wanted) =>
        existing.OrderBy(i => i.Position).Select(i => (i.Key, i.Title, i.Instructions, i.Required))
            .SequenceEqual(wanted.Select(i => (i.Key, i.Title, i.Instructions, i.Required)));

    private static TemplateView ToView(ChecklistTemplate template, int versions) => new(template.Name, template.Version, template.Title,
        template.Description, template.CreatedBy, template.CreatedAt, versions,
        template.Items.OrderBy(i => i.Position).Select(i => new TemplateItemView(i.Key, i.Title, i.Instructions, i.Required)).ToList());

    [GeneratedRegex(ChecklistTemplate.NamePattern)]
    private static partial Regex TemplateName();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex ItemKey();
}

public sealed record TemplateRequest(string? Name, string? Title, string? Description, IReadOnlyList<TemplateItemRequest?>? Items);

public sealed record TemplateItemRequest(string? Key, string? Title, string? Instructions, bool? Required);

public sealed record SavedTemplate(TemplateView Template, bool Created);

public sealed record TemplateView(string Name, int Version, string Title, string? Description, string CreatedBy, DateTimeOffset Created, int Versions,
    IReadOnlyList<TemplateItemView> Items);

public sealed record TemplateItemView(string Key, string Title, string Instructions, bool Required);

/// <summary>A checklist run: <c>outcome</c> is passed (every required item passed), failed (a required item failed) or in progress.</summary>
public sealed record RunView(long Id, string Candidate, string Template, int Version, string Title, string? Description, string StartedBy,
    DateTimeOffset Started, DateTimeOffset? Finished, string Outcome, int Done, int Total, IReadOnlyList<RunItemView> Items);

public sealed record RunItemView(string Key, string Title, string Instructions, bool Required, string? State, string? Comment, string? By,
    DateTimeOffset? At, int Entries);

using System.Text.Json;
using ComposeGate.Data;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Results;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Timeline;

/// <summary>
/// A candidate's history: its audit events (status, votes, waivers, checklist progress, decisions) merged with
/// its results, which are their own append-only record.
/// </summary>
public sealed class CandidateTimeline(IDbContextFactory<AppDbContext> dbFactory)
{
    public async Task<IReadOnlyList<TimelineEntry>?> ForAsync(string candidateId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Candidates.AnyAsync(c => c.Id == candidateId, ct))
        {
            return null;
        }
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.CandidateId == candidateId).ToListAsync(ct);
        var results = await db.Results.AsNoTracking().Where(r => r.CandidateId == candidateId).ToListAsync(ct);
        // At the same instant a result comes before the events it caused (the decision it changed).
        return events.Select(e => (Order: (e.At, 1, e.Id), Entry: new TimelineEntry($"event-{e.Id}", e.At, e.Actor, e.Kind, e.Summary,
                e.Data is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Data))))
            .Concat(results.Select(r => (Order: (r.CreatedAt, 0, r.Id), Entry: new TimelineEntry($"result-{r.Id}", r.CreatedAt, r.Reporter, "result.reported",
                $"{r.Testcase}{(r.Scenario.Length == 0 ? "" : $" ({r.Scenario})")}: {ResultService.Name(r.Outcome)}",
                JsonSerializer.SerializeToElement(new { result = r.Id, testcase = r.Testcase, scenario = r.Scenario, outcome = ResultService.Name(r.Outcome) })))))
            .OrderBy(e => e.Order)
            .Select(e => e.Entry)
            .ToList();
    }
}

/// <summary>One entry of the timeline; <c>kind</c> is dotted: candidate.created, result.reported, vote.cast, decision.changed, …</summary>
public sealed record TimelineEntry(string Id, DateTimeOffset At, string Actor, string Kind, string Summary, JsonElement? Data);

public static class TimelineApi
{
    public static IEndpointRouteBuilder MapTimelineApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/candidates/{id}/events", async (string id, CandidateTimeline timeline, CancellationToken ct) =>
                await timeline.ForAsync(id, ct) is { } entries ? Microsoft.AspNetCore.Http.Results.Ok(entries) : OutcomeResults.NotFound($"No candidate '{id}'."))
            .WithTags("Timeline").RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("The audit timeline: results, votes, waivers, checklist progress, decisions and status changes, oldest first");
        return app;
    }
}

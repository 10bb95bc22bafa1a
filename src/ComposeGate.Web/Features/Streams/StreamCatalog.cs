using System.Security.Claims;
using System.Text.RegularExpressions;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Data;
using ComposeGate.Streams;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Streams;

/// <summary>Streams with their newest candidates, for the API, the Streams page and the dashboard.</summary>
public sealed partial class StreamCatalog(IDbContextFactory<AppDbContext> dbFactory, IOptionsMonitor<StreamsOptions> configured, TimeProvider clock)
{
    public const int LatestCandidatesShown = 5;

    public async Task<IReadOnlyList<StreamView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var streams = await db.Streams.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        var views = new List<StreamView>(streams.Count);
        foreach (var stream in streams)
        {
            views.Add(await ViewOfAsync(db, stream, ct));
        }
        return views;
    }

    public async Task<StreamView?> GetAsync(string name, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stream = await db.Streams.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, ct);
        return stream is null ? null : await ViewOfAsync(db, stream, ct);
    }

    public async Task<Outcome<StreamView>> CreateAsync(ClaimsPrincipal actor, CreateStreamRequest request, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<StreamView>.Forbidden("Only admins may create streams.");
        }
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? "";
        if (!errors.AddIf(name.Length == 0, "name", "A name is required."))
        {
            errors.AddIf(!NamePattern().IsMatch(name), "name",
                "Use 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (it appears in URLs and branch names).");
        }
        errors.AddIf(request.Kind is null, "kind", "A kind is required: 'compose' or 'image'.");
        errors.AddIf(request.Description is { Length: > 2000 }, "description", "At most 2000 characters.");
        if (errors.Any)
        {
            return errors;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Streams.AnyAsync(s => s.Name == name, ct))
        {
            return new Outcome<StreamView>.Conflict($"A stream named '{name}' exists.");
        }
        var now = clock.GetUtcNow();
        var stream = new ReleaseStream
        {
            Name = name,
            Kind = request.Kind!.Value,
            Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(),
            CreatedAt = now,
            CreatedBy = Actor.NameOf(actor),
        };
        db.Streams.Add(stream);
        await db.SaveChangesAsync(ct);
        db.Record(now, stream.CreatedBy, "stream.created", $"Created {stream.Kind.ToString().ToLowerInvariant()} stream '{name}'",
            streamId: stream.Id, data: new { stream.Name, stream.Kind, stream.Description });
        await db.SaveChangesAsync(ct);
        return await ViewOfAsync(db, stream, ct);
    }

    private async Task<StreamView> ViewOfAsync(AppDbContext db, ReleaseStream stream, CancellationToken ct)
    {
        var latest = await db.Candidates.AsNoTracking()
            .Where(c => c.StreamId == stream.Id)
            .OrderByDescending(c => c.CreatedAt)
            .Take(LatestCandidatesShown)
            .Select(c => new CandidateBrief(c.Id, c.Status, c.CreatedAt, c.Unchanged, c.DecisionSummary))
            .ToListAsync(ct);
        var counts = await db.Candidates.Where(c => c.StreamId == stream.Id)
            .GroupBy(c => c.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(ct);
        var lastPromoted = await db.Candidates.AsNoTracking()
            .Where(c => c.StreamId == stream.Id && c.Status == CandidateStatus.Promoted)
            .OrderByDescending(c => c.PromotedAt)
            .Select(c => new CandidateBrief(c.Id, c.Status, c.CreatedAt, c.Unchanged, c.DecisionSummary))
            .FirstOrDefaultAsync(ct);
        var policyVersion = await db.Policies.Where(p => p.StreamId == stream.Id)
            .OrderByDescending(p => p.Version).Select(p => (int?)p.Version).FirstOrDefaultAsync(ct);
        SourceView? source = null;
        if (configured.CurrentValue.TryGetValue(stream.Name, out var settings) && settings.Source is { } configuredSource)
        {
            var poll = await db.SourcePolls.AsNoTracking().SingleOrDefaultAsync(p => p.StreamId == stream.Id, ct);
            // Masked here as well as when stored: the location comes from configuration, and rows may predate masking.
            source = new SourceView(UrlSecrets.Apply(configuredSource.Location), configuredSource.Schedule, poll?.LastCheckedAt, poll?.LastSuccessAt,
                UrlSecrets.ApplyWithin(poll?.LastOutcome), UrlSecrets.ApplyWithin(poll?.LastError), poll?.ConsecutiveFailures ?? 0);
        }
        return new StreamView(stream.Name, stream.Kind, stream.Description, stream.CreatedAt, stream.CreatedBy,
            counts.ToDictionary(c => c.Status, c => c.Count), latest, lastPromoted, policyVersion, source);
    }

    [GeneratedRegex(ReleaseStream.NamePattern)]
    private static partial Regex NamePattern();
}

public sealed record CreateStreamRequest(string? Name, StreamKind? Kind, string? Description = null);

/// <summary>A stream as the API and pages show it.</summary>
public sealed record StreamView(
    string Name,
    StreamKind Kind,
    string? Description,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    IReadOnlyDictionary<CandidateStatus, int> CandidateCounts,
    IReadOnlyList<CandidateBrief> LatestCandidates,
    CandidateBrief? LastPromoted,
    int? PolicyVersion,
    SourceView? Source);

/// <summary>A stream's configured source and how its last check went.</summary>
public sealed record SourceView(string Location, string? Schedule, DateTimeOffset? LastChecked, DateTimeOffset? LastSuccess,
    string? LastOutcome, string? LastError, int ConsecutiveFailures)
{
    public bool Failing => ConsecutiveFailures > 0;
}

/// <summary>A candidate in a list; <c>waitingOn</c> is its last decision's summary (what it still needs).</summary>
public sealed record CandidateBrief(string Id, CandidateStatus Status, DateTimeOffset CreatedAt, bool Unchanged, string? WaitingOn);

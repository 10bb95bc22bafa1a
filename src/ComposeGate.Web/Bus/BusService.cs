using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Bus;
using ComposeGate.Data;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Bus;

/// <summary>The message bus as people see it: the connections, the announcements heard and what became of them, the outbox.</summary>
public sealed class BusService(
    IDbContextFactory<AppDbContext> dbFactory,
    BusLinks links,
    IOptions<BusPublishOptions> publish,
    IServiceProvider services)
{
    public const int RecentAnnouncements = 50;
    public const int MaxAnnouncementsPage = 500;

    /// <summary>Bodies are shown for the announcements that went wrong, this much of each.</summary>
    public const int ShownBody = 2048;

    public async Task<BusOverview> OverviewAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var outcomes = await db.Announcements.GroupBy(a => a.Outcome).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        // A long broker outage leaves many rows waiting: counted and sampled in SQL, not loaded.
        var unpublished = db.BusOutbox.Where(m => m.PublishedAt == null);
        var pending = await unpublished.CountAsync(ct);
        var oldest = await unpublished.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct);
        var lastError = await unpublished.Where(m => m.LastError != null).OrderByDescending(m => m.Id).Select(m => m.LastError).FirstOrDefaultAsync(ct);
        var published = await db.BusOutbox.CountAsync(m => m.PublishedAt != null, ct);
        return new BusOverview(
            links.All,
            await QueryAsync(db, streamId: null, outcome: null, RecentAnnouncements, ct),
            outcomes.ToDictionary(o => o.Key.ToString().ToLowerInvariant(), o => o.Count),
            new OutboxSummary(publish.Value.Enabled, pending, published, oldest, lastError));
    }

    public async Task<Outcome<IReadOnlyList<AnnouncementRow>>> AnnouncementsAsync(string stream, AnnouncementOutcome? outcome, int limit, long? before = null,
        CancellationToken ct = default)
    {
        if (limit is < 1 or > MaxAnnouncementsPage)
        {
            return new FieldErrors().Add("limit", $"Use 1 to {MaxAnnouncementsPage}.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var id = await db.Streams.Where(s => s.Name == stream).Select(s => (int?)s.Id).SingleOrDefaultAsync(ct);
        if (id is null)
        {
            return new Outcome<IReadOnlyList<AnnouncementRow>>.NotFound($"No stream named '{stream}'.");
        }
        return new Outcome<IReadOnlyList<AnnouncementRow>>.Ok(await QueryAsync(db, id, outcome, limit, ct, before: before));
    }

    public async Task<Outcome<AnnouncementRow>> RetryAsync(ClaimsPrincipal actor, string stream, long id, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<AnnouncementRow>.Forbidden("Trying an announcement again needs the ReleaseEngineer role or above.");
        }
        switch (await services.GetRequiredService<AnnouncementHandler>().RetryAsync(Actor.NameOf(actor), stream, id, ct))
        {
            case Outcome<AnnouncementOutcome>.NotFound missing:
                return new Outcome<AnnouncementRow>.NotFound(missing.Detail);
            case Outcome<AnnouncementOutcome>.Conflict refused:
                return new Outcome<AnnouncementRow>.Conflict(refused.Detail);
            case not Outcome<AnnouncementOutcome>.Ok and var other:
                return new Outcome<AnnouncementRow>.Conflict(other.Message ?? "Refused.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await QueryAsync(db, null, null, 1, ct, id)).Single();
    }

    private static async Task<IReadOnlyList<AnnouncementRow>> QueryAsync(AppDbContext db, int? streamId, AnnouncementOutcome? outcome, int limit, CancellationToken ct,
        long? id = null, long? before = null)
    {
        var rows = await db.Announcements.AsNoTracking()
            .Where(a => (streamId == null || a.StreamId == streamId) && (outcome == null || a.Outcome == outcome) && (id == null || a.Id == id) && (before == null || a.Id < before))
            .OrderByDescending(a => a.Id).Take(limit)
            .Join(db.Streams, a => a.StreamId, s => s.Id, (a, s) => new { a, Stream = s.Name })
            .ToListAsync(ct);
        // Masked on the way out too: rows written before locations were masked when stored.
        return rows.Select(r => new AnnouncementRow(r.a.Id, r.Stream, r.a.MessageId, r.a.Topic, r.a.ComposeId, r.a.ComposeStatus, UrlSecrets.Apply(r.a.Location),
                r.a.Outcome, UrlSecrets.ApplyWithin(r.a.Reason), r.a.CandidateId, r.a.ReceivedAt, r.a.HandledAt, r.a.Deliveries, r.a.Attempts,
                r.a.Outcome is AnnouncementOutcome.Malformed or AnnouncementOutcome.Failed ? Shorten(UrlSecrets.ApplyWithin(r.a.Body)) : null))
            .ToList();
    }

    private static string Shorten(string body) => body.Length <= ShownBody ? body : body[..ShownBody] + "…";
}

public sealed record BusOverview(
    IReadOnlyList<BusLinkStatus> Links,
    IReadOnlyList<AnnouncementRow> Announcements,
    IReadOnlyDictionary<string, int> Outcomes,
    OutboxSummary Outbox);

public sealed record AnnouncementRow(long Id, string Stream, string MessageId, string Topic, string? ComposeId, string? ComposeStatus, string? Location,
    AnnouncementOutcome Outcome, string? Reason, string? Candidate, DateTimeOffset Received, DateTimeOffset? Handled, int Deliveries, int Attempts, string? Body);

/// <summary>Events waiting for the broker and how many it has confirmed.</summary>
public sealed record OutboxSummary(bool Enabled, int Pending, int Published, DateTimeOffset? OldestPending, string? LastError);

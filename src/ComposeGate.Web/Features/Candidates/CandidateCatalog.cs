using ComposeGate.Candidates;
using ComposeGate.Candidates.Rpm;
using ComposeGate.Data;
using ComposeGate.Forge;
using ComposeGate.Streams;
using ComposeGate.Web.Api;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace ComposeGate.Web.Features.Candidates;

/// <summary>Candidates as the API and pages read them: lists, details, manifests, diffs and package search.</summary>
public sealed class CandidateCatalog(IDbContextFactory<AppDbContext> dbFactory, IMemoryCache cache)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public async Task<Outcome<CandidateList>> ListAsync(CandidateQuery query, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        errors.AddIf(query.Limit is < 1 or > MaxPageSize, "limit", $"Use 1 to {MaxPageSize}.");
        CandidateStatus? status = null;
        if (query.Status is { Length: > 0 } text)
        {
            status = Enum.TryParse<CandidateStatus>(text, ignoreCase: true, out var parsed) && !int.TryParse(text, out _)
                ? parsed
                : null;
            errors.AddIf(status is null, "status", $"'{text}' is not a status ({string.Join(", ", Enum.GetNames<CandidateStatus>().Select(n => n.ToLowerInvariant()))}).");
        }
        if (errors.Any)
        {
            return errors;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = db.Candidates.AsNoTracking();
        if (query.Stream is { Length: > 0 } stream)
        {
            candidates = candidates.Where(c => c.Stream.Name == stream);
        }
        if (status is not null)
        {
            candidates = candidates.Where(c => c.Status == status);
        }
        if (query.Since is { } since)
        {
            candidates = candidates.Where(c => c.CreatedAt >= since);
        }
        if (query.Until is { } until)
        {
            candidates = candidates.Where(c => c.CreatedAt < until);
        }
        if (query.After is { Length: > 0 } after)
        {
            var cursor = await db.Candidates.Where(c => c.Id == after).Select(c => new { c.CreatedAt }).SingleOrDefaultAsync(ct);
            if (cursor is null)
            {
                return new FieldErrors().Add("after", $"No candidate '{after}' to page after.");
            }
            candidates = candidates.Where(c => c.CreatedAt < cursor.CreatedAt || (c.CreatedAt == cursor.CreatedAt && string.Compare(c.Id, after) < 0));
        }
        var limit = query.Limit ?? DefaultPageSize;
        var page = await candidates
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Take(limit + 1)
            .Select(c => new CandidateSummary(c.Id, c.Stream.Name, c.Stream.Kind, c.Status, c.CreatedAt, c.Unchanged,
                c.SourcePackageCount, c.BinaryPackageCount, c.Digest, c.PromotedAt))
            .ToListAsync(ct);
        var more = page.Count > limit;
        return new CandidateList(page.Take(limit).ToList(), more ? page[limit - 1].Id : null);
    }

    public async Task<CandidateDetail?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidate = await db.Candidates.AsNoTracking().Include(c => c.Stream).Include(c => c.MergeRequest).Include(c => c.Issues)
            .SingleOrDefaultAsync(c => c.Id == id, ct);
        if (candidate is null)
        {
            return null;
        }
        return new CandidateDetail(
            candidate.Id,
            candidate.Stream.Name,
            candidate.Stream.Kind,
            candidate.Status,
            candidate.CreatedAt,
            candidate.CreatedBy,
            candidate.StatusChangedAt,
            candidate.StatusReason,
            candidate.Unchanged,
            // Masked when stored; again here for candidates received before that.
            UrlSecrets.Apply(candidate.SourceUrl),
            candidate.ComposeDate is null ? null : new ComposeFacts(candidate.ReleaseShort!, candidate.ReleaseVersion!, candidate.ComposeDate,
                candidate.ComposeType!, candidate.ComposeRespin ?? 0, candidate.ComposeLabel),
            candidate.Digest is null ? null : new ImageFacts(candidate.Image!, candidate.Tag, candidate.Digest,
                candidate.Platforms?.Split(' ') ?? []),
            new ManifestCounts(candidate.SourcePackageCount, candidate.BinaryPackageCount),
            candidate.MergeRequest is { } mr ? new MergeRequestView(mr.Provider, mr.Url, mr.State) : null,
            candidate.Issues.OrderBy(i => i.CreatedAt).Select(i => new IssueView(i.Url, i.Title)).ToList(),
            candidate.PromotedAt,
            // The decision recorded at its last recomputation (GET …/decision computes it afresh).
            candidate.DecisionSummary is null ? null : new DecisionSummary(candidate.DecisionSatisfied, candidate.DecisionSummary));
    }

    public async Task<IReadOnlyList<SourcePackageView>> SourcePackagesAsync(string id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.CandidatePackages.AsNoTracking().Where(p => p.CandidateId == id)
            .Select(p => new { p.Name, p.Epoch, p.Version, p.Release, Rpms = p.Rpms.Count })
            .ToListAsync(ct);
        return rows.Select(p => new SourcePackageView(p.Name, new Evr(p.Epoch, p.Version, p.Release).ToString(), p.Rpms))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The variants and compose arches of a manifest, with how many RPMs each lists.</summary>
    public async Task<IReadOnlyList<ManifestPart>> ManifestLayoutAsync(string id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var parts = await db.CandidateRpms.AsNoTracking().Where(r => r.CandidateId == id)
            .GroupBy(r => new { r.Variant, r.ComposeArch })
            .Select(g => new ManifestPart(g.Key.Variant, g.Key.ComposeArch, g.Count()))
            .ToListAsync(ct);
        return parts.OrderBy(p => p.Variant, StringComparer.Ordinal).ThenBy(p => p.ComposeArch, StringComparer.Ordinal).ToList();
    }

    /// <summary>The whole binary manifest, or one variant / compose arch of it.</summary>
    public async Task<IReadOnlyList<RpmView>> BinaryPackagesAsync(string id, CancellationToken ct = default, string? variant = null, string? composeArch = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.CandidateRpms.AsNoTracking()
            .Where(r => r.CandidateId == id && (variant == null || r.Variant == variant) && (composeArch == null || r.ComposeArch == composeArch))
            .Join(db.CandidatePackages, r => r.PackageId, p => p.Id, (r, p) => new
            {
                r.Name, r.Epoch, r.Version, r.Release, r.Arch, r.Variant, r.ComposeArch, r.Category, r.SigKey, r.Path, Source = p.Name,
            })
            .ToListAsync(ct);
        return rows
            .Select(r => new RpmView(r.Name, new Evr(r.Epoch, r.Version, r.Release).ToString(), r.Arch, r.Variant, r.ComposeArch,
                r.Category, r.SigKey, r.Path, r.Source))
            .OrderBy(r => r.Variant, StringComparer.Ordinal).ThenBy(r => r.ComposeArch, StringComparer.Ordinal)
            .ThenBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Arch, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The diff of a candidate against <paramref name="against"/>, or by default against the stream's last
    /// promoted candidate before it (everything is added when there is none).
    /// </summary>
    public async Task<Outcome<CandidateDiff>> DiffAsync(string id, string? against, DiffLevel level, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidate = await db.Candidates.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { c.Id, c.StreamId, c.CreatedAt, Kind = c.Stream.Kind }).SingleOrDefaultAsync(ct);
        if (candidate is null)
        {
            return new Outcome<CandidateDiff>.NotFound($"No candidate '{id}'.");
        }
        if (candidate.Kind != StreamKind.Compose)
        {
            return new Outcome<CandidateDiff>.Unprocessable($"'{id}' is an image; package diffs are for composes.");
        }
        string? baseId;
        if (against is { Length: > 0 })
        {
            if (!await db.Candidates.AnyAsync(c => c.Id == against, ct))
            {
                return new Outcome<CandidateDiff>.NotFound($"No candidate '{against}' to compare against.");
            }
            baseId = against;
        }
        else
        {
            baseId = await db.Candidates
                .Where(c => c.StreamId == candidate.StreamId && c.Status == CandidateStatus.Promoted && c.Id != id && c.CreatedAt <= candidate.CreatedAt)
                .OrderByDescending(c => c.PromotedAt).ThenByDescending(c => c.CreatedAt)
                .Select(c => c.Id).FirstOrDefaultAsync(ct);
        }

        // Manifests never change once stored, so a diff between two of them can be kept.
        var diff = await cache.GetOrCreateAsync(("diff", id, baseId, level), async entry =>
        {
            entry.SlidingExpiration = TimeSpan.FromMinutes(10);
            entry.Size = 1;
            var before = baseId is null ? [] : await VersionsAsync(db, baseId, level, ct);
            return PackageDiff.Compute(before, await VersionsAsync(db, id, level, ct));
        });
        return new CandidateDiff(id, baseId, level, diff!);
    }

    /// <summary>Every candidate containing the package (source or binary name), optionally at least some version.</summary>
    public async Task<IReadOnlyList<PackageHit>> FindPackageAsync(string name, VersionFloor? atLeast, string? stream, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sources = db.CandidatePackages.AsNoTracking().Where(p => p.Name == name)
            .Select(p => new { p.CandidateId, Level = "source", p.Epoch, p.Version, p.Release });
        var binaries = db.CandidateRpms.AsNoTracking().Where(r => r.Name == name && r.Category != RpmCategory.Source)
            .Select(r => new { r.CandidateId, Level = "binary", r.Epoch, r.Version, r.Release });
        var rows = (await sources.ToListAsync(ct)).Concat(await binaries.Distinct().ToListAsync(ct)).ToList();
        var candidateIds = rows.Select(r => r.CandidateId).Distinct().ToList();
        var candidates = await db.Candidates.AsNoTracking().Where(c => candidateIds.Contains(c.Id))
            .Where(c => stream == null || c.Stream.Name == stream)
            .Select(c => new { c.Id, Stream = c.Stream.Name, c.Status, c.CreatedAt, c.PromotedAt })
            .ToDictionaryAsync(c => c.Id, ct);
        return rows
            .Where(r => candidates.ContainsKey(r.CandidateId))
            .GroupBy(r => (r.CandidateId, r.Level))
            .Select(g => (g.Key, Evr: g.Select(r => new Evr(r.Epoch, r.Version, r.Release)).Max(Evr.Comparer)))
            .Where(x => atLeast is null || atLeast.IsSatisfiedBy(x.Evr))
            .Select(x =>
            {
                var c = candidates[x.Key.CandidateId];
                return new PackageHit(c.Id, c.Stream, c.Status, c.CreatedAt, c.PromotedAt, x.Key.Level, x.Evr.ToString());
            })
            .OrderByDescending(h => h.Created).ThenBy(h => h.Level, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The name and EVR of every package of a manifest, read with a plain data reader: this is the diff's hot
    /// path (10,000 to 60,000 rows a side) and EF's materialisation would double its time.
    /// </summary>
    private static async Task<List<PackageVersion>> VersionsAsync(AppDbContext db, string candidateId, DiffLevel level, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }
        await using var command = connection.CreateCommand();
        // Plain SQL every engine reads alike: quoted identifiers (EF's own names), an @-named parameter.
        command.CommandText = level == DiffLevel.Source
            ? """SELECT "Name", "Epoch", "Version", "Release" FROM "CandidatePackages" WHERE "CandidateId" = @id"""
            : """SELECT DISTINCT "Name", "Epoch", "Version", "Release" FROM "CandidateRpms" WHERE "CandidateId" = @id AND "Category" <> 'Source'""";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = candidateId;
        command.Parameters.Add(parameter);
        var versions = new List<PackageVersion>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions.Add(new PackageVersion(reader.GetString(0), new Evr(reader.GetInt32(1), reader.GetString(2), reader.GetString(3))));
        }
        return versions;
    }
}

public enum DiffLevel
{
    Source,
    Binary,
}

public sealed record CandidateQuery(string? Stream = null, string? Status = null, int? Limit = null, string? After = null,
    DateTimeOffset? Since = null, DateTimeOffset? Until = null);

/// <summary>One page of candidates, newest first; <c>next</c> is the cursor for the following page.</summary>
public sealed record CandidateList(IReadOnlyList<CandidateSummary> Items, string? NextAfter);

public sealed record CandidateSummary(string Id, string Stream, StreamKind Kind, CandidateStatus Status, DateTimeOffset Created,
    bool Unchanged, int SourcePackages, int BinaryPackages, string? Digest, DateTimeOffset? PromotedAt);

public sealed record CandidateDetail(
    string Id,
    string Stream,
    StreamKind Kind,
    CandidateStatus Status,
    DateTimeOffset Created,
    string CreatedBy,
    DateTimeOffset StatusChanged,
    string? StatusReason,
    bool Unchanged,
    string? Source,
    ComposeFacts? Compose,
    ImageFacts? Image,
    ManifestCounts Manifest,
    MergeRequestView? MergeRequest,
    IReadOnlyList<IssueView> Issues,
    DateTimeOffset? PromotedAt,
    DecisionSummary? Decision);

public sealed record ComposeFacts(string ReleaseShort, string ReleaseVersion, string Date, string Type, int Respin, string? Label);

public sealed record ImageFacts(string Image, string? Tag, string Digest, IReadOnlyList<string> Platforms);

public sealed record ManifestCounts(int SourcePackages, int BinaryPackages);

public sealed record MergeRequestView(ForgeProvider Provider, string Url, MergeRequestState State);

public sealed record IssueView(string Url, string Title);

public sealed record DecisionSummary(bool Satisfied, string Summary);

public sealed record SourcePackageView(string Name, string Evr, int Rpms);

public sealed record ManifestPart(string Variant, string ComposeArch, int Rpms);

public sealed record RpmView(string Name, string Evr, string Arch, string Variant, string ComposeArch, RpmCategory Category,
    string? Sigkey, string Path, string Source);

public sealed record CandidateDiff(string Candidate, string? Base, DiffLevel Level, PackageDiff Diff);

public sealed record PackageHit(string Candidate, string Stream, CandidateStatus Status, DateTimeOffset Created, DateTimeOffset? PromotedAt,
    string Level, string Evr)
{
    public bool Published => Status == CandidateStatus.Promoted;
}

/// <summary>"At least this version": <c>[epoch:]version[-release]</c>; without a release any release of that version counts.</summary>
public sealed record VersionFloor(int Epoch, string Version, string? Release)
{
    public static bool TryParse(string? text, out VersionFloor? floor)
    {
        floor = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        text = text.Trim();
        var epoch = 0;
        var colon = text.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(text[..colon], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out epoch))
            {
                return false;
            }
            text = text[(colon + 1)..];
        }
        var dash = text.LastIndexOf('-');
        var (version, release) = dash < 0 ? (text, (string?)null) : (text[..dash], text[(dash + 1)..]);
        if (version.Length == 0 || release is { Length: 0 })
        {
            return false;
        }
        floor = new VersionFloor(epoch, version, release);
        return true;
    }

    public bool IsSatisfiedBy(Evr evr)
    {
        if (evr.Epoch != Epoch)
        {
            return evr.Epoch > Epoch;
        }
        var byVersion = RpmVersion.Compare(evr.Version, Version);
        return byVersion != 0 ? byVersion > 0 : Release is null || RpmVersion.Compare(evr.Release, Release) >= 0;
    }

    public override string ToString() => $"{(Epoch == 0 ? "" : $"{Epoch}:")}{Version}{(Release is null ? "" : $"-{Release}")}";
}

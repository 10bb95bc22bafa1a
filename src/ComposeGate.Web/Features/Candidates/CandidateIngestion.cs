using System.Security.Cryptography;
using System.Text;
using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Candidates.Productmd;
using ComposeGate.Data;
using ComposeGate.Streams;
using ComposeGate.Web.Api;
using ComposeGate.Web.Data;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Candidates;

/// <summary>
/// Turns a compose (inline metadata or a published compose directory) or an image digest into a candidate
/// with its full manifest. Idempotent: the same compose again answers with the existing candidate; the same
/// id with other content is a conflict; anything refused stores nothing.
/// </summary>
public sealed class CandidateIngestion(
    IDbContextFactory<AppDbContext> dbFactory,
    IDatabaseProvider database,
    ComposeFetcher fetcher,
    DataLocation data,
    IngestProgress progress,
    CandidateCatalog catalog,
    Decisions.DecisionService decisions,
    Events.OutgoingEvents events,
    TimeProvider clock,
    ILogger<CandidateIngestion> logger)
{
    /// <summary>Reads a POSTed submission (any of the three forms) and ingests it into the named stream.</summary>
    public async Task<Outcome<IngestResult>> SubmitAsync(string actor, string streamName, Stream body, CancellationToken ct)
    {
        var stream = await FindStreamAsync(streamName, ct);
        if (stream is null)
        {
            return new Outcome<IngestResult>.NotFound($"No stream named '{streamName}'.");
        }
        CandidateSubmission submission;
        try
        {
            // Spooled to a file first: the request body cannot be read synchronously, the parser reads so.
            await using var spool = await ComposeFetcher.SpoolAsync(body, data, ct);
            submission = CandidateSubmission.Read(spool);
        }
        catch (ProductmdException e)
        {
            return Invalid(e.Path, e.Reason);
        }
        if (submission.Url is { } url)
        {
            return await IngestUrlAsync(actor, stream, url, ct);
        }
        if (submission.Compose is { } compose)
        {
            return await StoreComposeAsync(actor, stream, compose, sourceUrl: null, ct);
        }
        return await StoreImageAsync(actor, stream, submission.Image!, ct);
    }

    /// <summary>
    /// Ingests the compose published at <paramref name="url"/> (http(s) or a local path) if it finished. With
    /// <paramref name="expectedId"/>, a compose with another id there is refused (a <c>latest-…</c> link that moved on);
    /// <paramref name="whenCreated"/> writes its own rows in the transaction that creates the candidate.
    /// </summary>
    public async Task<Outcome<IngestResult>> IngestUrlAsync(string actor, ReleaseStream stream, string url, CancellationToken ct,
        string? expectedId = null, Func<AppDbContext, CancellationToken, Task>? whenCreated = null)
    {
        if (stream.Kind != StreamKind.Compose)
        {
            return Invalid("$.url", $"Stream '{stream.Name}' takes images, not composes.");
        }
        var shown = UrlSecrets.Apply(url);
        try
        {
            var status = await fetcher.ReadStatusAsync(url, ct);
            if (!ComposeFetcher.IngestibleStatuses.Contains(status))
            {
                // Only pungi's own words are repeated: a STATUS file may hold anything.
                return new Outcome<IngestResult>.Unprocessable(ComposeFetcher.PungiStatuses.Contains(status)
                    ? $"The compose at {shown} has STATUS {status}; only FINISHED or FINISHED_INCOMPLETE composes are accepted."
                    : $"The compose at {shown} is not FINISHED: its STATUS is {(status.Length == 0 ? "empty" : "none of pungi's (" + string.Join(", ", ComposeFetcher.PungiStatuses) + ")")}.");
            }
            var metadata = await fetcher.ReadMetadataAsync(url, ct);
            if (expectedId is not null && metadata.Info.Id != expectedId)
            {
                return new Outcome<IngestResult>.Conflict($"The compose at {shown} is {metadata.Info.Id}, not {expectedId}.");
            }
            return await StoreComposeAsync(actor, stream, metadata, url, ct, whenCreated);
        }
        catch (ComposeUnavailableException e)
        {
            return new Outcome<IngestResult>.Unprocessable(e.Message);
        }
        catch (ProductmdException e)
        {
            return Invalid(e.Path, e.Reason);
        }
    }

    public async Task<Outcome<IngestResult>> StoreComposeAsync(string actor, ReleaseStream stream, ComposeMetadata metadata, string? sourceUrl, CancellationToken ct,
        Func<AppDbContext, CancellationToken, Task>? whenCreated = null)
    {
        if (stream.Kind != StreamKind.Compose)
        {
            return Invalid("$", $"Stream '{stream.Name}' takes images, not composes.");
        }
        var info = metadata.Info;
        // Stored and shown masked: later readers (pages, webhooks, the merge request, Publish's local path) need no secret.
        sourceUrl = sourceUrl is null ? null : UrlSecrets.Apply(sourceUrl);
        var progressId = progress.Start(stream.Name, sourceUrl ?? info.Id);
        try
        {
            var hash = ContentHash(metadata);
            var packages = metadata.Rpms
                .GroupBy(r => (r.Source.Name, r.Source.Epoch, r.Source.Version, r.Source.Release))
                .ToList();

            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (await CheckExistingAsync(db, info.Id, hash, stream, ct) is { } answer)
            {
                return answer;
            }

            var newest = await db.Candidates.Where(c => c.StreamId == stream.Id)
                .OrderByDescending(c => c.CreatedAt).Select(c => c.Id).FirstOrDefaultAsync(ct);
            var unchanged = newest is not null && await HasSameSourcePackagesAsync(db, newest, packages.Select(p => p.Key), ct);
            var now = clock.GetUtcNow();
            var candidate = new Candidate
            {
                Id = info.Id,
                StreamId = stream.Id,
                Status = CandidateStatus.Received,
                CreatedAt = now,
                StatusChangedAt = now,
                CreatedBy = actor,
                SourceUrl = sourceUrl,
                ContentHash = hash,
                Unchanged = unchanged,
                ReleaseShort = info.ReleaseShort,
                ReleaseVersion = info.ReleaseVersion,
                ComposeDate = info.Date,
                ComposeType = info.Type,
                ComposeRespin = info.Respin,
                ComposeLabel = info.Label,
                SourcePackageCount = packages.Count,
                BinaryPackageCount = metadata.Rpms.Count,
            };
            db.Candidates.Add(candidate);
            db.Record(now, actor, "candidate.created",
                $"Received compose {info.Id}: {packages.Count} source packages, {metadata.Rpms.Count} RPMs{(unchanged ? " (unchanged: same source packages as " + newest + ")" : "")}",
                candidateId: info.Id, streamId: stream.Id, data: new { sourceUrl, unchanged, previous = newest });
            events.Record(db, stream.Id, stream.Name, Events.OutgoingEvents.CandidateCreated, info.Id, new
            {
                kind = "compose", sourceUrl, unchanged, sourcePackages = packages.Count, rpms = metadata.Rpms.Count,
            });
            await db.SaveChangesAsync(ct);
            var manifest = packages.Select(p => new ManifestPackage(p.Key.Name, p.Key.Epoch, p.Key.Version, p.Key.Release, p.ToList())).ToList();
            await database.InsertManifestAsync(db, info.Id, manifest, (done, total) => progress.Report(progressId, "storing RPMs", done, total, info.Id), ct);
            if (whenCreated is not null)
            {
                await whenCreated(db, ct);
            }
            await transaction.CommitAsync(ct);
            logger.LogInformation("Ingested compose {Compose} into {Stream}: {Packages} source packages, {Rpms} RPMs", info.Id, stream.Name, packages.Count, metadata.Rpms.Count);
            // The candidate enters gating with its first decision.
            await decisions.RecomputeAsync(info.Id, actor, ct);
            return new IngestResult((await catalog.GetAsync(info.Id, ct))!, Created: true);
        }
        finally
        {
            progress.Finish(progressId);
        }
    }

    public async Task<Outcome<IngestResult>> StoreImageAsync(string actor, ReleaseStream stream, ImageSubmission image, CancellationToken ct)
    {
        if (stream.Kind != StreamKind.Image)
        {
            return Invalid("$.image", $"Stream '{stream.Name}' takes composes, not images.");
        }
        var id = image.CandidateId;
        var hash = Sha256($"image\n{image.Image}\n{image.Digest}\n");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await CheckExistingAsync(db, id, hash, stream, ct) is { } answer)
        {
            return answer;
        }
        var now = clock.GetUtcNow();
        db.Candidates.Add(new Candidate
        {
            Id = id,
            StreamId = stream.Id,
            Status = CandidateStatus.Received,
            CreatedAt = now,
            StatusChangedAt = now,
            CreatedBy = actor,
            SourceUrl = $"{image.Image}@{image.Digest}",
            ContentHash = hash,
            Image = image.Image,
            Tag = image.Tag,
            Digest = image.Digest,
            Platforms = image.Platforms.Count == 0 ? null : string.Join(' ', image.Platforms),
        });
        db.Record(now, actor, "candidate.created", $"Received image {image.Image}@{image.Digest}{(image.Tag is null ? "" : $" (from :{image.Tag})")}",
            candidateId: id, streamId: stream.Id, data: new { image.Image, image.Tag, image.Digest, image.Platforms });
        events.Record(db, stream.Id, stream.Name, Events.OutgoingEvents.CandidateCreated, id, new { kind = "image", image.Image, image.Tag, image.Digest });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await decisions.RecomputeAsync(id, actor, ct);
        return new IngestResult((await catalog.GetAsync(id, ct))!, Created: true);
    }

    public async Task<ReleaseStream?> FindStreamAsync(string name, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Streams.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, ct);
    }

    /// <summary>The same id again: 200 with the candidate when the content matches, 409 otherwise.</summary>
    private async Task<Outcome<IngestResult>?> CheckExistingAsync(AppDbContext db, string id, string hash, ReleaseStream stream, CancellationToken ct)
    {
        var existing = await db.Candidates.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { c.StreamId, c.ContentHash, Stream = c.Stream.Name }).SingleOrDefaultAsync(ct);
        if (existing is null)
        {
            return null;
        }
        if (existing.StreamId != stream.Id)
        {
            return new Outcome<IngestResult>.Conflict($"Candidate '{id}' already belongs to stream '{existing.Stream}'.");
        }
        if (existing.ContentHash != hash)
        {
            return new Outcome<IngestResult>.Conflict($"Candidate '{id}' exists with different content; a compose id names one compose.");
        }
        return new IngestResult((await catalog.GetAsync(id, ct))!, Created: false);
    }

    private static async Task<bool> HasSameSourcePackagesAsync(AppDbContext db, string candidateId,
        IEnumerable<(string Name, int Epoch, string Version, string Release)> packages, CancellationToken ct)
    {
        var previous = await db.CandidatePackages.Where(p => p.CandidateId == candidateId)
            .Select(p => new { p.Name, p.Epoch, p.Version, p.Release }).ToListAsync(ct);
        var current = packages.ToHashSet();
        return previous.Count == current.Count && previous.All(p => current.Contains((p.Name, p.Epoch, p.Version, p.Release)));
    }

    /// <summary>SHA-256 of the normalised metadata: the same compose written in another key order hashes the same.</summary>
    private static string ContentHash(ComposeMetadata metadata)
    {
        var info = metadata.Info;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(
            $"compose\n{info.Id}\n{info.Date}\n{info.Type}\n{info.Respin}\n{info.Label}\n{info.ReleaseName}\n{info.ReleaseShort}\n{info.ReleaseVersion}\n"));
        var lines = metadata.Rpms
            .Select(r => $"{r.Variant}\t{r.ComposeArch}\t{r.Source}\t{r.Rpm}\t{r.Path}\t{r.SigKey}\t{r.Category}\n")
            .Order(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(line));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static Outcome<IngestResult> Invalid(string path, string reason) =>
        new Outcome<IngestResult>.Invalid(new Dictionary<string, string[]> { [path] = [reason] });
}

/// <summary>The candidate and whether this request created it (201) or found it (200).</summary>
public sealed record IngestResult(CandidateDetail Candidate, bool Created);

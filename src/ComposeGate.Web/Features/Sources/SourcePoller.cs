using System.Globalization;
using System.Text.RegularExpressions;
using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Candidates.Productmd;
using ComposeGate.Data;
using ComposeGate.Streams;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Candidates;
using ComposeGate.Web.Promotion.Registry;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Sources;

/// <summary>
/// Checks a stream's compose source: a single compose directory, or a directory of composes like
/// <c>…/production/</c> holding <c>CentOS-Stream-10-20261120.0/</c> and a <c>latest-…</c> link. Each new
/// FINISHED compose becomes a candidate; unfinished ones are looked at again next time; failures are
/// recorded for the pages and retried on the next tick.
/// </summary>
public sealed partial class SourcePoller(
    IDbContextFactory<AppDbContext> dbFactory,
    IOptionsMonitor<StreamsOptions> streams,
    ComposeFetcher fetcher,
    CandidateIngestion ingestion,
    RegistryClient registry,
    TimeProvider clock,
    ILogger<SourcePoller> logger)
{
    /// <summary>At most this many composes are ingested per check, newest last; a long outage catches up over ticks.</summary>
    public const int MaxIngestsPerCheck = 5;

    /// <summary>How many of the newest entries of a directory are looked at.</summary>
    public const int EntriesConsidered = 10;

    public async Task<string> PollAsync(string streamName, CancellationToken ct)
    {
        if (!streams.CurrentValue.TryGetValue(streamName, out var settings) || settings.Source is not { } source)
        {
            return $"Stream '{streamName}' has no source configured.";
        }
        var location = source.Location;
        // What is recorded, shown and logged: the configured URL may carry a mirror's password or token.
        var shown = UrlSecrets.Apply(location);
        var stream = await ingestion.FindStreamAsync(streamName, ct)
            ?? throw new InvalidOperationException($"Stream '{streamName}' is configured but does not exist.");
        try
        {
            var outcome = UrlSecrets.ApplyWithin(source.Image is { } image
                ? await CheckImageAsync(stream, image, source.Tag!, ct)
                : await CheckAsync(stream, location, ct));
            await RecordAsync(stream, shown, outcome, error: null, ct);
            return outcome;
        }
        catch (Exception e) when (e is ComposeUnavailableException or ProductmdException or HttpRequestException or IOException or UnauthorizedAccessException
            or RegistryException)
        {
            var error = UrlSecrets.ApplyWithin(e.Message);
            logger.LogWarning("Checking the source of {Stream} at {Location} failed: {Error}", streamName, shown, error);
            await RecordAsync(stream, shown, outcome: null, error, ct);
            return error;
        }
    }

    private async Task<string> CheckAsync(ReleaseStream stream, string location, CancellationToken ct)
    {
        var composes = await IsComposeAsync(location, ct)
            ? [(Name: LastSegment(location), Location: location)]
            : (await fetcher.ListAsync(location, ct))
                .Select(name => (name, order: ComposeOrder(name)))
                .Where(e => e.order is not null)
                .OrderByDescending(e => e.order)
                .Take(EntriesConsidered)
                .Reverse()
                .Select(e => (Name: e.name, Location: ComposeFetcher.Child(location, e.name)))
                .ToList();
        if (composes.Count == 0)
        {
            return "No composes found.";
        }

        var known = await KnownAsync(stream, ct);
        var notes = new List<string>();
        var ingested = 0;
        foreach (var (name, compose) in composes)
        {
            if (ingested == MaxIngestsPerCheck)
            {
                notes.Add("more on the next check");
                break;
            }
            if (known.Contains(name))
            {
                continue;
            }
            var result = await ingestion.IngestUrlAsync(Actor.System, stream, compose, ct);
            switch (result)
            {
                case Outcome<IngestResult>.Ok ok when ok.Value.Created:
                    ingested++;
                    notes.Add($"ingested {ok.Value.Candidate.Id}");
                    break;
                case Outcome<IngestResult>.Ok:
                    break;
                case Outcome<IngestResult>.Unprocessable waiting:
                    // Not finished (STARTED) or gone: looked at again on the next check.
                    notes.Add(waiting.Detail);
                    break;
                case Outcome<IngestResult>.Invalid invalid:
                    throw new ProductmdException(invalid.Errors.Keys.First(), $"{name}: {invalid.Message}");
                default:
                    notes.Add($"{name}: {result.Message}");
                    break;
            }
        }
        return notes.Count == 0 ? "Nothing new." : string.Join("; ", notes);
    }

    /// <summary>
    /// Resolves the image's moving tag (<c>:main</c>) to the digest it names now; a digest not seen before becomes a
    /// candidate pinned to that digest, so whatever is pushed to the tag later, the tested bits stay the same.
    /// </summary>
    private async Task<string> CheckImageAsync(ReleaseStream stream, string image, string tag, CancellationToken ct)
    {
        var manifest = await registry.ResolveAsync(image, tag, ct);
        var submission = ImageSubmission.Validate(image, tag, manifest.Digest, manifest.Platforms);
        if ((await KnownAsync(stream, ct)).Contains(submission.CandidateId))
        {
            return $":{tag} is still {manifest.Digest[..19]}…: nothing new.";
        }
        var result = await ingestion.StoreImageAsync(Actor.System, stream, submission, ct);
        return result switch
        {
            Outcome<IngestResult>.Ok { Value.Created: true } ok => $"ingested {ok.Value.Candidate.Id} (:{tag} → {manifest.Digest})",
            Outcome<IngestResult>.Ok => "nothing new",
            _ => throw new IOException($"{image}@{manifest.Digest}: {result.Message}"),
        };
    }

    /// <summary>The folder name a location ends in (its query left aside): a compose's own folder is named after it.</summary>
    private static string LastSegment(string location)
    {
        var path = Uri.TryCreate(location, UriKind.Absolute, out var uri) && !uri.IsFile ? Uri.UnescapeDataString(uri.AbsolutePath) : location;
        return path.TrimEnd('/').Split('/')[^1];
    }

    private async Task<bool> IsComposeAsync(string location, CancellationToken ct)
    {
        try
        {
            await fetcher.ReadStatusAsync(location, ct);
            return true;
        }
        catch (ComposeUnavailableException)
        {
            return false;
        }
    }

    private async Task<HashSet<string>> KnownAsync(ReleaseStream stream, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.Candidates.Where(c => c.StreamId == stream.Id).Select(c => c.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
    }

    private async Task RecordAsync(ReleaseStream stream, string location, string? outcome, string? error, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var poll = await db.SourcePolls.SingleOrDefaultAsync(p => p.StreamId == stream.Id, ct);
        if (poll is null)
        {
            poll = new SourcePoll { StreamId = stream.Id, Location = location };
            db.SourcePolls.Add(poll);
        }
        var now = clock.GetUtcNow();
        poll.Location = location;
        poll.LastCheckedAt = now;
        if (error is null)
        {
            poll.LastSuccessAt = now;
            poll.LastOutcome = outcome;
            poll.LastError = null;
            poll.ConsecutiveFailures = 0;
        }
        else
        {
            if (poll.ConsecutiveFailures == 0)
            {
                db.Record(now, Actor.System, "source.failed", $"Checking {location} failed: {error}", streamId: stream.Id);
            }
            poll.LastError = error;
            poll.ConsecutiveFailures++;
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// productmd's compose order (date, then compose type, then respin) from a directory name such as
    /// <c>Fedora-Rawhide-20261120.n.0</c>; null for anything that is not a compose (a <c>latest-…</c> link).
    /// </summary>
    public static (string Date, int Type, int Respin)? ComposeOrder(string name)
    {
        if (name.StartsWith("latest-", StringComparison.Ordinal))
        {
            return null;
        }
        var match = ComposeName().Match(name);
        if (!match.Success)
        {
            return null;
        }
        var type = match.Groups["type"].Value switch
        {
            "" => "production",
            ".n" or ".nightly" => "nightly",
            ".t" or ".test" => "test",
            ".ci" => "ci",
            ".d" => "development",
            _ => null,
        };
        return type is null
            ? null
            : (match.Groups["date"].Value, ProductmdReader.ComposeTypes.ToList().IndexOf(type),
                int.Parse(match.Groups["respin"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]*-(?<date>\d{8})(?<type>\.[a-z]+)?\.(?<respin>\d+)$")]
    private static partial Regex ComposeName();
}

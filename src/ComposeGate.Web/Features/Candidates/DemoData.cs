using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Candidates.Demo;
using ComposeGate.Data;
using ComposeGate.Streams;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Candidates;

/// <summary><c>ComposeGate:Demo</c>: a stream with two realistic composes, for Development runs.</summary>
public sealed class DemoOptions
{
    public const string Section = "ComposeGate:Demo";

    public bool Enabled { get; set; }
    public string Stream { get; set; } = "centos-stream-10-demo";
    public int SourcePackages { get; set; } = 10_000;
}

/// <summary>
/// On the first Development start, publishes two generated CentOS Stream 10 composes under the data folder and
/// ingests them by URL like any compose, the first marked as promoted, so a newcomer sees a real package diff.
/// Runs after start-up, so the Candidates page shows the ingest progress.
/// </summary>
internal sealed class DemoData(
    DemoOptions options,
    IDbContextFactory<AppDbContext> dbFactory,
    IServiceScopeFactory scopes,
    DataLocation data,
    TimeProvider clock,
    ILogger<DemoData> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
        if (await db.Streams.AnyAsync(s => s.Name == options.Stream, stoppingToken))
        {
            return;
        }
        var stream = new ReleaseStream
        {
            Name = options.Stream,
            Kind = StreamKind.Compose,
            Description = "Demo data: two generated CentOS Stream 10 composes (Development only).",
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = Actor.System,
        };
        db.Streams.Add(stream);
        await db.SaveChangesAsync(stoppingToken);

        var root = Path.Combine(data.DataDir, "demo-composes");
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = options.SourcePackages, Date = "20261119", Seed = 10 });
        var current = previous.Next(new NextOptions { Upgraded = 180, Downgraded = 6, Added = 25, Removed = 12, RpmEqual = 5 });
        await using var scope = scopes.CreateAsyncScope();
        var ingestion = scope.ServiceProvider.GetRequiredService<CandidateIngestion>();
        foreach (var compose in new[] { previous, current })
        {
            var outcome = await ingestion.IngestUrlAsync(Actor.System, stream, compose.WriteTo(root), stoppingToken);
            if (outcome is not Outcome<IngestResult>.Ok)
            {
                logger.LogError("Demo compose {Compose} was not ingested: {Reason}", compose.ComposeId, outcome.Message);
                return;
            }
        }

        // The first compose plays the published one, so the second shows a diff against it by default.
        var published = await db.Candidates.SingleAsync(c => c.Id == previous.ComposeId, stoppingToken);
        published.Status = CandidateStatus.Promoted;
        published.PromotedAt = published.StatusChangedAt = clock.GetUtcNow();
        published.StatusReason = "Demo data: marked as published";
        db.Record(clock.GetUtcNow(), Actor.System, "candidate.promoted", $"Demo data: {previous.ComposeId} marked as published",
            candidateId: previous.ComposeId, streamId: stream.Id);
        await db.SaveChangesAsync(stoppingToken);
        logger.LogInformation("Demo stream {Stream} holds {Previous} (published) and {Current}", stream.Name, previous.ComposeId, current.ComposeId);
    }
}

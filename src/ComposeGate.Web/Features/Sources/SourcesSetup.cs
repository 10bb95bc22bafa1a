using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Streams;
using ComposeGate.Web.Access;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ComposeGate.Web.Features.Jobs;

namespace ComposeGate.Web.Features.Sources;

/// <summary>Configured streams exist at start-up, and each source (compose directory or image tag) is checked on its own schedule.</summary>
internal static class SourcesSetup
{
    public static WebApplicationBuilder AddSources(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StreamsOptions>().Bind(builder.Configuration.GetSection(StreamsOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StreamsOptions>, StreamsOptionsValidator>();
        builder.Services.AddOptions<SourcesOptions>().Bind(builder.Configuration.GetSection(SourcesOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        builder.Services.AddSingleton<ComposeRoots>();
        builder.Services.AddTransient<SourcePoller>();

        var configured = builder.Configuration.GetSection(StreamsOptions.Section).Get<StreamsOptions>() ?? new StreamsOptions();
        foreach (var (stream, settings) in configured)
        {
            // A bad schedule stops the start with the other option errors (StreamsOptionsValidator).
            if (settings.Source is { Schedule: { } schedule } source && CronSchedule.Problem(schedule) is null)
            {
                builder.Services.AddSingleton(ScheduledJob.Of<SourcePollJob>(SourcePollJob.Id(stream),
                    source.Image is null
                        ? $"Check {UrlSecrets.Apply(source.ComposeUrl)} for new composes"
                        : $"Resolve {source.Location} to a digest; a new digest becomes a candidate",
                    schedule, job => job.RunAsync(stream, CancellationToken.None)));
            }
        }
        return builder;
    }

    /// <summary>Creates the streams named in configuration that do not exist yet.</summary>
    public static async Task EnsureConfiguredStreamsAsync(this WebApplication app)
    {
        var configured = app.Services.GetRequiredService<IOptions<StreamsOptions>>().Value;
        if (configured.Count == 0)
        {
            return;
        }
        var clock = app.Services.GetRequiredService<TimeProvider>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SourcesSetup));
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var existing = await db.Streams.Select(s => s.Name).ToListAsync();
        foreach (var (name, settings) in configured.Where(s => !existing.Contains(s.Key)))
        {
            var stream = new ReleaseStream
            {
                Name = name,
                Kind = settings.Source?.Kind ?? StreamKind.Compose,
                Description = settings.Description,
                CreatedAt = clock.GetUtcNow(),
                CreatedBy = Actor.System,
            };
            db.Streams.Add(stream);
            await db.SaveChangesAsync();
            db.Record(stream.CreatedAt, Actor.System, "stream.created", $"Created stream '{name}' from configuration", streamId: stream.Id);
            await db.SaveChangesAsync();
            logger.LogInformation("Created stream {Stream} from configuration", name);
        }
    }
}

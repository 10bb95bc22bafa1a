using System.Security.Claims;
using ComposeGate.Bus;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Jobs;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Bus;

/// <summary>The AMQP side of ComposeGate: announcements in (per stream), our events out (one exchange), and how both are doing.</summary>
public static class BusSetup
{
    public static WebApplicationBuilder AddBus(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BusPublishOptions>().Bind(builder.Configuration.GetSection(BusPublishOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BusPublishOptions>, BusPublishOptionsValidator>();
        builder.Services.AddSingleton<BusLinks>();
        builder.Services.AddTransient<AnnouncementHandler>();
        builder.Services.AddSingleton<BusService>();
        builder.Services.AddHostedService<AnnouncementListener>();
        builder.Services.AddSingleton<BusQueue>();
        builder.Services.AddSingleton<BusPublisher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BusPublisher>());
        if (builder.Configuration.GetSection(BusPublishOptions.Section).Get<BusPublishOptions>() is { Enabled: true })
        {
            builder.Services.AddSingleton<IJobTrigger>(services => services.GetRequiredService<BusQueue>());
            builder.Services.AddSingleton(ScheduledJob.Of<BusJobs>(BusJobs.Id, "Publish stored events the broker has not confirmed yet (new ones go out at once)",
                "* * * * *", job => job.PublishAsync(CancellationToken.None)));
        }
        builder.Services.AddHealthChecks().AddCheck<BusHealthCheck>("bus");
        return builder;
    }

    public static IEndpointRouteBuilder MapBusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/bus", async (BusService bus, CancellationToken ct) => TypedResults.Ok(await bus.OverviewAsync(ct)))
            .WithTags("Message bus").RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("The AMQP connections and their state, recent announcements and what became of them, the outbox of our events");
        app.MapGet("/api/v1/streams/{stream}/announcements", async (string stream, string? outcome, int? limit, long? before, BusService bus, CancellationToken ct) =>
            {
                AnnouncementOutcome? wanted = null;
                if (outcome is not null)
                {
                    if (!Enum.TryParse<AnnouncementOutcome>(outcome, ignoreCase: true, out var parsed) || int.TryParse(outcome, out _))
                    {
                        return OutcomeResults.Invalid(new FieldErrors().Add("outcome",
                            $"'{outcome}' is not an outcome ({string.Join(", ", Enum.GetNames<AnnouncementOutcome>().Select(n => n.ToLowerInvariant()))})."));
                    }
                    wanted = parsed;
                }
                return (await bus.AnnouncementsAsync(stream, wanted, limit ?? 100, before, ct)).ToResult(rows => TypedResults.Ok(rows));
            })
            .WithTags("Message bus").RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("The stream's announcements heard on the bus, newest first; ?outcome=failed|malformed|ignored|duplicate|ingested|processing, ?limit= (1 to 500, default 100), ?before=<id> for the next page");
        app.MapPost("/api/v1/streams/{stream}/announcements/{id:long}/retry",
                async (string stream, long id, ClaimsPrincipal user, BusService bus, CancellationToken ct) =>
                    (await bus.RetryAsync(user, stream, id, ct)).ToResult(row => TypedResults.Ok(row)))
            .WithTags("Message bus").RequireAuthorization(AccessPolicies.ReleaseEngineerOrAbove)
            .WithSummary("Ingest a failed announcement's compose again (after the mirror was fixed)");
        return app;
    }
}

internal sealed class BusPublishOptionsValidator : IValidateOptions<BusPublishOptions>
{
    public ValidateOptionsResult Validate(string? name, BusPublishOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var key = BusPublishOptions.Section;
        var errors = options.EndpointErrors(key).ToList();
        if (string.IsNullOrWhiteSpace(options.Exchange))
        {
            errors.Add($"{key}:Exchange is required.");
        }
        if (options.TopicPrefix is { } prefix && (prefix.Contains('*') || prefix.Contains('#') || prefix.StartsWith('.') || prefix.EndsWith('.')))
        {
            errors.Add($"{key}:TopicPrefix '{prefix}' must be dotted words without wildcards, e.g. 'org.example.prod'.");
        }
        foreach (var unknown in options.Events.Where(e => !Features.Events.OutgoingEvents.Kinds.Contains(e)))
        {
            errors.Add($"{key}:Events '{unknown}' is not an event ({string.Join(", ", Features.Events.OutgoingEvents.Kinds)}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Healthy when every bus link is connected (or none is configured); degraded, with each link's state, while one is down.</summary>
internal sealed class BusHealthCheck(BusLinks links) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var all = links.All;
        var data = all.ToDictionary(l => l.Name, object (l) => new
        {
            state = l.State.ToString().ToLowerInvariant(), l.Role, l.Endpoint, l.Target, l.Since, l.LastError, l.NextAttemptAt, l.Messages,
        });
        if (all.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No message bus configured."));
        }
        var down = all.Where(l => l.State != BusLinkState.Connected).ToList();
        return Task.FromResult(down.Count == 0
            ? HealthCheckResult.Healthy($"{all.Count} bus link(s) connected.", data)
            : HealthCheckResult.Degraded(string.Join("; ", down.Select(l => $"{l.Name} {l.State.ToString().ToLowerInvariant()}{(l.LastError is null ? "" : ": " + l.LastError)}")),
                data: data));
    }
}

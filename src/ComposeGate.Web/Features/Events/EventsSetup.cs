using ComposeGate.Data;
using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Events;

internal static class EventsSetup
{
    public static WebApplicationBuilder AddOutgoingEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OutgoingEvents>();
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<WebhookQueue>();
        builder.Services.AddSingleton<IJobTrigger>(services => services.GetRequiredService<WebhookQueue>());
        builder.Services.AddSingleton(ScheduledJob.Of<WebhookJobs>(WebhookJobs.Id, "Send webhook deliveries that are due (new ones are sent at once, retries when due)",
            "* * * * *", job => job.DeliverAsync(CancellationToken.None), runAtStart: true));
        return builder;
    }

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/streams/{stream}/webhook-deliveries", DeliveriesAsync)
            .WithTags("Streams").RequireAuthorization(Access.AccessPolicies.Admin)
            .WithSummary("The stream's recent webhook deliveries: event, attempts, delivered or given up, last error");
        return app;
    }

    private static async Task<IResult> DeliveriesAsync(string stream, IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var id = await db.Streams.Where(s => s.Name == stream).Select(s => (int?)s.Id).SingleOrDefaultAsync(ct);
        if (id is null)
        {
            return Api.OutcomeResults.NotFound($"No stream named '{stream}'.");
        }
        var deliveries = await db.WebhookDeliveries.Where(d => d.StreamId == id).OrderByDescending(d => d.Id).Take(200)
            // Masked on the way out too: rows written before URLs were masked when stored.
            .Select(d => new
            {
                d.Id, d.EventId, d.Event, d.CandidateId, Url = UrlSecrets.Apply(d.Url), d.CreatedAt, d.Attempts, d.NextAttemptAt, d.DeliveredAt, d.GaveUpAt,
                LastError = UrlSecrets.ApplyWithin(d.LastError),
            })
            .ToListAsync(ct);
        return TypedResults.Ok(deliveries);
    }
}

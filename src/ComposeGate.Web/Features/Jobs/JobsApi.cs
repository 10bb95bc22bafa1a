using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;

namespace ComposeGate.Web.Features.Jobs;

public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        api.MapGet("", async (JobsService jobs, CancellationToken ct) => TypedResults.Ok(await jobs.OverviewAsync(ct)))
            .RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("Background work: promotions under way and recent, scheduled jobs, undelivered webhooks, source checks");
        api.MapPost("/{name}/run", async (string name, ClaimsPrincipal user, JobsService jobs, CancellationToken ct) =>
                (await jobs.RunNowAsync(user, name, ct)).ToResult(job => TypedResults.Accepted((string?)null, new { job })))
            .RequireAuthorization(AccessPolicies.ReleaseEngineerOrAbove)
            .WithSummary("Run a recurring job now by its id (promotion, decision-refresh, forge-reconcile, webhooks, bus-outbox, gitlab-reconcile, poll-<stream>); 202");
        return app;
    }
}

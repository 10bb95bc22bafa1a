using ComposeGate.Web.Features.Checklists;
using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Features.Policies;
using ComposeGate.Web.Features.Promotion;
using ComposeGate.Web.Features.Results;
using ComposeGate.Web.Features.Timeline;
using ComposeGate.Web.Features.Votes;
using ComposeGate.Web.Features.Waivers;
using ComposeGate.Web.Live;

namespace ComposeGate.Web.Features.Decisions;

/// <summary>The gate: results, checklists, votes, waivers, policies, decisions, the timeline, and live updates.</summary>
internal static class GatingSetup
{
    public static WebApplicationBuilder AddGating(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<DecisionService>();
        services.AddSingleton<ResultWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ResultWriter>());
        services.AddSingleton<ResultService>();
        services.AddSingleton<VoteService>();
        services.AddSingleton<WaiverService>();
        services.AddSingleton<ChecklistService>();
        services.AddSingleton<PolicyService>();
        services.AddSingleton<CandidateTimeline>();
        services.AddSingleton<PromotionService>();
        services.AddSingleton(ScheduledJob.Of<DecisionRefreshJob>(DecisionRefreshJob.Id,
            "Recompute open candidates' decisions (expiring waivers, soak times)", DecisionRefreshJob.Schedule, job => job.RunAsync(CancellationToken.None)));
        return builder;
    }

    public static IEndpointRouteBuilder MapGatingApi(this IEndpointRouteBuilder app)
    {
        app.MapResultsApi();
        app.MapVotesApi();
        app.MapWaiversApi();
        app.MapChecklistsApi();
        app.MapPoliciesApi();
        app.MapDecisionsApi();
        app.MapTimelineApi();
        app.MapPromotionApi();
        app.MapJobsApi();
        return app;
    }
}

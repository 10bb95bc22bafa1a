using ComposeGate.Policies;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;

namespace ComposeGate.Web.Features.Decisions;

public static class DecisionsApi
{
    public static IEndpointRouteBuilder MapDecisionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/candidates/{id}/decision", GetAsync).WithTags("Decisions").RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("The decision: satisfied, a summary, and every requirement's state (satisfied, missing, pending, failed, errored, waived)")
            .WithDescription("?at=<ISO 8601 time> answers as the decision stood then (the policy version, results, votes, waivers and checklists of that moment).");
        return app;
    }

    private static async Task<IResult> GetAsync(string id, DecisionService decisions, TimeProvider clock, CancellationToken ct, DateTimeOffset? at = null) =>
        await decisions.EvaluateAsync(id, at, ct) is { } decision
            ? TypedResults.Ok(DecisionAnswer.From(decision, at ?? clock.GetUtcNow()))
            : OutcomeResults.NotFound($"No candidate '{id}'.");
}

public sealed record DecisionAnswer(bool Satisfied, string Summary, IReadOnlyList<DecisionAnswer.RequirementAnswer> Requirements, string Promote, DateTimeOffset At)
{
    public sealed record RequirementAnswer(string Kind, string Name, string? Scenario, string State, string Detail, bool Waivable, long? Waiver);

    public static DecisionAnswer From(Decision decision, DateTimeOffset at) => new(decision.Satisfied, decision.Summary,
        decision.Requirements.Select(r => new RequirementAnswer(r.Kind, r.Name, r.Scenario, r.State.ToString().ToLowerInvariant(), r.Detail, r.Waivable, r.WaiverId)).ToList(),
        decision.Promote.ToString().ToLowerInvariant(), at);
}

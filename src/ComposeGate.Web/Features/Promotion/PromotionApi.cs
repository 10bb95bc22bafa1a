using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Candidates;

namespace ComposeGate.Web.Features.Promotion;

public static class PromotionApi
{
    public static IEndpointRouteBuilder MapPromotionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/candidates/{id}").WithTags("Promotion").RequireAuthorization(AccessPolicies.ReleaseEngineerOrAbove);
        api.MapPost("/promote", PromoteAsync)
            .WithSummary("Promote a satisfied candidate: 202 with the promotion record; 409 listing what is unmet otherwise")
            .Produces<PromotionView>(StatusCodes.Status202Accepted);
        api.MapPost("/promotion/cancel", CancelAsync)
            .WithSummary("Cancel the promotion under way: the running step is interrupted and the candidate ends failed (promote again to retry)");
        app.MapGet("/api/v1/candidates/{id}/promotion", HistoryAsync).WithTags("Promotion").RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("The candidate's promotion attempts, oldest first, each with its steps, tries, timings, errors and output");
        api.MapPost("/reject", RejectAsync)
            .WithSummary("Reject a candidate: {\"reason\"} is required and recorded; a promoted candidate cannot be rejected")
            .ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> PromoteAsync(string id, ClaimsPrincipal user, PromotionService promotion, CancellationToken ct) =>
        (await promotion.PromoteAsync(user, id, ct))
            .ToResult(view => TypedResults.Accepted($"/api/v1/candidates/{Uri.EscapeDataString(id)}", view));

    private static async Task<IResult> CancelAsync(string id, ClaimsPrincipal user, PromotionService promotion, CancellationToken ct) =>
        (await promotion.CancelAsync(user, id, ct)).ToResult(view => TypedResults.Accepted($"/api/v1/candidates/{Uri.EscapeDataString(id)}/promotion", view));

    private static async Task<IResult> HistoryAsync(string id, PromotionService promotion, CandidateCatalog catalog, CancellationToken ct) =>
        await catalog.GetAsync(id, ct) is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No candidate '{id}'.")
            : TypedResults.Ok(await promotion.HistoryAsync(id, ct));

    private static async Task<IResult> RejectAsync(string id, RejectRequest? request, ClaimsPrincipal user, PromotionService promotion, CancellationToken ct) =>
        (await promotion.RejectAsync(user, id, request?.Reason, ct)).ToResult(TypedResults.Ok);
}

public sealed record RejectRequest(string? Reason);

using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;

namespace ComposeGate.Web.Features.Promotion;

public static class PromotionApi
{
    public static IEndpointRouteBuilder MapPromotionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/candidates/{id}").WithTags("Promotion").RequireAuthorization(AccessPolicies.ReleaseEngineerOrAbove);
        api.MapPost("/promote", PromoteAsync)
            .WithSummary("Promote a satisfied candidate: 202 with the promotion record; 409 listing what is unmet otherwise")
            .Produces<PromotionView>(StatusCodes.Status202Accepted);
        api.MapPost("/reject", RejectAsync)
            .WithSummary("Reject a candidate: {\"reason\"} is required and recorded; a promoted candidate cannot be rejected")
            .ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> PromoteAsync(string id, ClaimsPrincipal user, PromotionService promotion, CancellationToken ct) =>
        (await promotion.PromoteAsync(user, id, ct))
            .ToResult(view => TypedResults.Accepted($"/api/v1/candidates/{Uri.EscapeDataString(id)}", view));

    private static async Task<IResult> RejectAsync(string id, RejectRequest? request, ClaimsPrincipal user, PromotionService promotion, CancellationToken ct) =>
        (await promotion.RejectAsync(user, id, request?.Reason, ct)).ToResult(TypedResults.Ok);
}

public sealed record RejectRequest(string? Reason);

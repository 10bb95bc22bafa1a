using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;

namespace ComposeGate.Web.Features.Waivers;

public static class WaiversApi
{
    public static IEndpointRouteBuilder MapWaiversApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/candidates/{id}/waivers").WithTags("Waivers");
        api.MapPost("/", WaiveAsync).RequireAuthorization(AccessPolicies.ReleaseEngineerOrAbove)
            .WithSummary("Waive a testcase (checklist.<template> for a checklist): {\"testcase\",\"scenario\"?,\"reason\",\"expires\"?}")
            .ProducesValidationProblem();
        api.MapGet("/", async (string id, WaiverService waivers, CancellationToken ct) => TypedResults.Ok(await waivers.ListAsync(id, ct)))
            .RequireAuthorization(AccessPolicies.ViewerOrAbove).WithSummary("Every waiver of a candidate, revoked and expired ones included");
        app.MapDelete("/api/v1/waivers/{waiverId:long}", RevokeAsync).WithTags("Waivers").RequireAuthorization(AccessPolicies.ReleaseEngineerOrAbove)
            .WithSummary("Revoke a waiver (it stays in the history)");
        return app;
    }

    private static async Task<IResult> WaiveAsync(string id, WaiverRequest request, ClaimsPrincipal user, WaiverService waivers, CancellationToken ct) =>
        (await waivers.WaiveAsync(user, id, request, ct)).ToResult(waiver => TypedResults.Created($"/api/v1/waivers/{waiver.Id}", waiver));

    private static async Task<IResult> RevokeAsync(long waiverId, ClaimsPrincipal user, WaiverService waivers, CancellationToken ct) =>
        (await waivers.RevokeAsync(user, waiverId, ct)).ToResult(TypedResults.Ok);
}

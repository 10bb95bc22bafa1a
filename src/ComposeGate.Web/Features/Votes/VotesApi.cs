using System.Security.Claims;
using ComposeGate.Gating;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;

namespace ComposeGate.Web.Features.Votes;

public static class VotesApi
{
    public static IEndpointRouteBuilder MapVotesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/candidates/{id}/votes").WithTags("Votes");
        api.MapPost("/", CastAsync).RequireAuthorization(AccessPolicies.TesterOrAbove)
            .WithSummary("Vote: {\"value\":1|-1,\"comment\"}; a person's latest vote counts and any -1 blocks")
            .ProducesValidationProblem();
        api.MapGet("/", async (string id, VoteService votes, CancellationToken ct) => TypedResults.Ok(await votes.ListAsync(id, ct)))
            .RequireAuthorization(AccessPolicies.ViewerOrAbove).WithSummary("Every vote, newest first; counts=false for a superseded one");
        return app;
    }

    private static async Task<IResult> CastAsync(string id, VoteRequest request, ClaimsPrincipal user, VoteService votes, CancellationToken ct) =>
        (await votes.CastAsync(user, id, request.Value, request.Comment, VoteSource.Api, ct))
            .ToResult(vote => TypedResults.Created($"/api/v1/candidates/{Uri.EscapeDataString(id)}/votes", vote));
}

public sealed record VoteRequest(int? Value, string? Comment);

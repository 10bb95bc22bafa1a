using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComposeGate.Web.Features.Tokens;

public static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tokens").WithTags("Tokens").RequireAuthorization(AccessPolicies.Admin);
        api.MapPost("/", MintAsync)
            .WithSummary("Mint an API token (the secret is in this answer only)")
            .WithDescription("Body: {\"name\",\"role\",\"testcases\":[\"glob\"]?,\"expires\"?,\"user\"?}. Without 'user' the token is a bot account named after the token, so the name may not be a person's user name.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/", ListAsync).WithSummary("List tokens (never their secrets)");
        api.MapDelete("/{id:int}", RevokeAsync).WithSummary("Revoke a token (kept in the list as revoked)");
        app.MapGet("/api/v1/me", Me).WithTags("Tokens").RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("Who the caller is: account name, roles, and the token's testcase limits");
        return app;
    }

    private static async Task<IResult> MintAsync(MintTokenRequest request, ClaimsPrincipal user, ApiTokenService tokens, CancellationToken ct) =>
        (await tokens.MintAsync(user, request, ct)).ToResult(minted => TypedResults.Created($"/api/v1/tokens/{minted.Id}", minted));

    private static async Task<Ok<IReadOnlyList<TokenSummary>>> ListAsync(ApiTokenService tokens, CancellationToken ct, bool includeRevoked = false) =>
        TypedResults.Ok(await tokens.ListAsync(includeRevoked, ct));

    private static Ok<Caller> Me(ClaimsPrincipal user) => TypedResults.Ok(new Caller(
        Actor.NameOf(user),
        ComposeGate.Access.Roles.All.Where(user.IsInRole).ToList(),
        user.FindFirst(ApiTokenAuthenticationHandler.TokenIdClaim) is { } id ? int.Parse(id.Value, System.Globalization.CultureInfo.InvariantCulture) : null,
        user.FindAll(ApiTokenAuthenticationHandler.TestcaseGlobClaim).Select(c => c.Value).ToList()));

    private static async Task<IResult> RevokeAsync(int id, ClaimsPrincipal user, ApiTokenService tokens, CancellationToken ct) =>
        (await tokens.RevokeAsync(user, id, ct)).ToResult(TypedResults.Ok);
}

/// <summary>The caller as the API sees it; <c>token</c> is null for a signed-in browser session.</summary>
public sealed record Caller(string Name, IReadOnlyList<string> Roles, int? Token, IReadOnlyList<string> Testcases);

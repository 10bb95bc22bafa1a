using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ComposeGate.Web.Features.Streams;

public static class StreamsApi
{
    public static IEndpointRouteBuilder MapStreamsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/streams").WithTags("Streams");
        api.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("List streams with their newest candidates");
        api.MapGet("/{stream}", GetAsync).RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("One stream with its newest candidates");
        api.MapPost("/", CreateAsync).RequireAuthorization(AccessPolicies.Admin)
            .WithSummary("Create a stream")
            .WithDescription("Body: {\"name\",\"kind\":\"compose\"|\"image\",\"description\"}. 409 when the name is taken.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<StreamView>>> ListAsync(StreamCatalog catalog, CancellationToken ct) =>
        TypedResults.Ok(await catalog.ListAsync(ct));

    private static async Task<Results<Ok<StreamView>, ProblemHttpResult>> GetAsync(string stream, StreamCatalog catalog, CancellationToken ct) =>
        await catalog.GetAsync(stream, ct) is { } view
            ? TypedResults.Ok(view)
            : OutcomeResults.NotFound($"No stream named '{stream}'.");

    private static async Task<IResult> CreateAsync(CreateStreamRequest request, ClaimsPrincipal user, StreamCatalog catalog, CancellationToken ct) =>
        (await catalog.CreateAsync(user, request, ct))
            .ToResult(view => TypedResults.Created($"/api/v1/streams/{Uri.EscapeDataString(view.Name)}", view));
}

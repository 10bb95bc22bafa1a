using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ComposeGate.Web.Features.Candidates;

public static class CandidatesApi
{
    /// <summary>Compose metadata can be large: Fedora's rpms.json runs to hundreds of megabytes.</summary>
    public const long MaxSubmissionBytes = 1L << 30;

    public static IEndpointRouteBuilder MapCandidatesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/streams/{stream}/candidates", SubmitAsync).WithTags("Candidates")
            .RequireAuthorization(AccessPolicies.Ingest)
            .WithMetadata(new RequestSizeLimitAttribute(MaxSubmissionBytes))
            .Accepts<SubmissionExample>("application/json")
            .WithSummary("Submit a candidate: a compose (inline productmd or a url) or an image digest")
            .WithDescription("Body: {\"composeinfo\":{…},\"rpms\":{…}} | {\"url\":\"<compose top dir: http(s) or absolute path>\"} | "
                + "{\"image\":\"host/repo\",\"tag\":\"main\",\"digest\":\"sha256:…\",\"platforms\":[\"linux/amd64\"]?}. "
                + "201 when created, 200 when the same candidate exists, 409 when the id exists with other content, "
                + "400 naming the JSON path of malformed metadata, 422 when a compose did not finish. ReleaseEngineer, Admin, or a token with ingest rights.")
            .Produces<CandidateDetail>(StatusCodes.Status201Created)
            .Produces<CandidateDetail>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var api = app.MapGroup("/api/v1/candidates").WithTags("Candidates").RequireAuthorization(AccessPolicies.ViewerOrAbove);
        api.MapGet("/", ListAsync).WithSummary("Candidates, newest first, paged (?stream=&status=&since=&until=&limit=&after=)");
        api.MapGet("/{id}", GetAsync).WithSummary("One candidate: status, manifest counts, merge request, issues, decision summary");
        api.MapGet("/{id}/packages", PackagesAsync).WithSummary("The manifest (?level=source|binary)");
        api.MapGet("/{id}/diff", DiffAsync)
            .WithSummary("The package diff (?against=<id>&level=source|binary); by default against the stream's last promoted candidate");
        app.MapGet("/api/v1/packages", FindPackageAsync).WithTags("Candidates").RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("Which candidates contain a package (?name=&min=[epoch:]version[-release]&stream=), and whether each is published");
        return app;
    }

    private static async Task<IResult> SubmitAsync(string stream, HttpRequest request, ClaimsPrincipal user, CandidateIngestion ingestion, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return OutcomeResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the candidate as application/json.");
        }
        return (await ingestion.SubmitAsync(Actor.NameOf(user), stream, request.Body, ct)).ToResult(result => result.Created
            ? TypedResults.Created($"/api/v1/candidates/{Uri.EscapeDataString(result.Candidate.Id)}", result.Candidate)
            : TypedResults.Ok(result.Candidate));
    }

    private static async Task<IResult> ListAsync(CandidateCatalog catalog, HttpRequest request, CancellationToken ct,
        string? stream = null, string? status = null, int? limit = null, string? after = null, DateTimeOffset? since = null, DateTimeOffset? until = null) =>
        (await catalog.ListAsync(new CandidateQuery(stream, status, limit, after, since, until), ct)).ToResult(page => TypedResults.Ok(new
        {
            items = page.Items,
            next = page.NextAfter is null ? null : NextLink(request, page.NextAfter),
        }));

    private static async Task<Results<Ok<CandidateDetail>, ProblemHttpResult>> GetAsync(string id, CandidateCatalog catalog, CancellationToken ct) =>
        await catalog.GetAsync(id, ct) is { } candidate ? TypedResults.Ok(candidate) : OutcomeResults.NotFound($"No candidate '{id}'.");

    private static async Task<IResult> PackagesAsync(string id, CandidateCatalog catalog, CancellationToken ct, string? level = null)
    {
        if (ParseLevel(level) is not { } parsed)
        {
            return BadLevel(level);
        }
        if (await catalog.GetAsync(id, ct) is null)
        {
            return OutcomeResults.NotFound($"No candidate '{id}'.");
        }
        return parsed == DiffLevel.Source
            ? TypedResults.Ok(await catalog.SourcePackagesAsync(id, ct))
            : TypedResults.Ok(await catalog.BinaryPackagesAsync(id, ct));
    }

    private static async Task<IResult> DiffAsync(string id, CandidateCatalog catalog, CancellationToken ct, string? against = null, string? level = null)
    {
        if (ParseLevel(level) is not { } parsed)
        {
            return BadLevel(level);
        }
        return (await catalog.DiffAsync(id, against, parsed, ct)).ToResult(result => TypedResults.Ok(DiffAnswer.From(result)));
    }

    private static async Task<IResult> FindPackageAsync(CandidateCatalog catalog, CancellationToken ct, string? name = null, string? min = null, string? stream = null)
    {
        var errors = new FieldErrors();
        errors.AddIf(string.IsNullOrWhiteSpace(name), "name", "A package name is required.");
        VersionFloor? floor = null;
        errors.AddIf(min is not null && !VersionFloor.TryParse(min, out floor), "min", $"'{min}' is not [epoch:]version[-release].");
        if (errors.Any)
        {
            return OutcomeResults.Invalid(errors);
        }
        return TypedResults.Ok(await catalog.FindPackageAsync(name!.Trim(), floor, stream, ct));
    }

    private static DiffLevel? ParseLevel(string? level) => level switch
    {
        null or "" or "source" => DiffLevel.Source,
        "binary" => DiffLevel.Binary,
        _ => null,
    };

    private static IResult BadLevel(string? level) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["level"] = [$"'{level}' is not a level; use source or binary."] });

    private static string NextLink(HttpRequest request, string after)
    {
        var query = request.Query.Where(q => q.Key != "after").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"after={Uri.EscapeDataString(after)}");
        return $"{request.PathBase}{request.Path}?{string.Join('&', query)}";
    }

    /// <summary>Documents the body's three forms in the OpenAPI description.</summary>
    private sealed record SubmissionExample(object? Composeinfo, object? Rpms, string? Url, string? Image, string? Tag, string? Digest, string[]? Platforms);
}

/// <summary>The diff as the API contract gives it: EVRs always with their epoch; unchanged only counted.</summary>
public sealed record DiffAnswer(
    string Candidate,
    string? Base,
    string Level,
    IReadOnlyList<DiffAnswer.Entry> Added,
    IReadOnlyList<DiffAnswer.Entry> Removed,
    IReadOnlyList<DiffAnswer.Change> Upgraded,
    IReadOnlyList<DiffAnswer.Change> Downgraded,
    int Unchanged)
{
    public sealed record Entry(string Name, string Evr);

    public sealed record Change(string Name, string From, string To);

    public static DiffAnswer From(CandidateDiff result)
    {
        var diff = result.Diff;
        return new DiffAnswer(result.Candidate, result.Base, result.Level.ToString().ToLowerInvariant(),
            diff.OfKind(ComposeGate.Candidates.ChangeKind.Added).Select(c => new Entry(c.Name, c.To!.Value.ToString())).ToList(),
            diff.OfKind(ComposeGate.Candidates.ChangeKind.Removed).Select(c => new Entry(c.Name, c.From!.Value.ToString())).ToList(),
            diff.OfKind(ComposeGate.Candidates.ChangeKind.Upgraded).Select(c => new Change(c.Name, c.From!.Value.ToString(), c.To!.Value.ToString())).ToList(),
            diff.OfKind(ComposeGate.Candidates.ChangeKind.Downgraded).Select(c => new Change(c.Name, c.From!.Value.ToString(), c.To!.Value.ToString())).ToList(),
            diff.Count(ComposeGate.Candidates.ChangeKind.Unchanged));
    }
}

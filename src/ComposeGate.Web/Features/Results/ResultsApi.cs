using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using ComposeGate.Data;
using ComposeGate.Gating;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Results;

public static class ResultsApi
{
    /// <summary>A result with its data fits easily; anything larger is a mistake or an attack.</summary>
    public const long MaxResultBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1/candidates/{id}/results").WithTags("Results");
        v1.MapPost("/", ReportAsync).RequireAuthorization(AccessPolicies.ReporterOrAbove)
            .WithMetadata(new RequestSizeLimitAttribute(MaxResultBytes))
            .WithSummary("Report a result: {\"testcase\",\"outcome\",\"scenario\"?,\"ref_url\"?,\"note\"?,\"data\"?}")
            .WithDescription("Outcomes: PASSED INFO FAILED NEEDS_INSPECTION ERROR QUEUED RUNNING. Append-only; the latest per (testcase, scenario) counts. "
                + "A token limited to testcase globs gets 403 outside them.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        v1.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.ViewerOrAbove).WithSummary("Every result of a candidate, newest first");

        var v2 = app.MapGroup("/api/v2.0/results").WithTags("ResultsDB 2.0");
        v2.MapPost("/", ReportResultsDbAsync).RequireAuthorization(AccessPolicies.ReporterOrAbove)
            .WithMetadata(new RequestSizeLimitAttribute(MaxResultBytes))
            .WithSummary("ResultsDB v2.0: report a result (testcase as a string or {name, ref_url}; data.item is the candidate id)");
        v2.MapGet("/", SearchResultsDbAsync).RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("ResultsDB v2.0: search results (?item=&testcases=&testcases:like=&outcome=&since=&limit=&page=)");
        return app;
    }

    private static async Task<IResult> ReportAsync(string id, ReportResultBody body, ClaimsPrincipal user, ResultService results, CancellationToken ct) =>
        (await results.ReportAsync(user, id, new ResultSubmission(body.Testcase, body.Outcome, body.Scenario, body.RefUrl, body.Note, body.Data), ct))
            .ToResult(view => TypedResults.Created($"/api/v1/candidates/{Uri.EscapeDataString(id)}/results", view));

    private static async Task<IResult> ListAsync(string id, ResultService results, CancellationToken ct) =>
        await results.ListAsync(id, ct) is { } list ? TypedResults.Ok(list) : OutcomeResults.NotFound($"No candidate '{id}'.");

    private static async Task<IResult> ReportResultsDbAsync(JsonElement body, ClaimsPrincipal user, ResultService results, HttpRequest request, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            return OutcomeResults.Invalid(errors.Add("$", "The body must be a JSON object."));
        }
        string? testcase = null;
        string? testcaseUrl = null;
        if (body.TryGetProperty("testcase", out var tc))
        {
            switch (tc.ValueKind)
            {
                case JsonValueKind.String:
                    testcase = tc.GetString();
                    break;
                case JsonValueKind.Object when tc.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String:
                    testcase = name.GetString();
                    testcaseUrl = tc.TryGetProperty("ref_url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
                    break;
                default:
                    errors.Add("testcase", "testcase is a name or an object {\"name\", \"ref_url\"}.");
                    break;
            }
        }
        var outcome = String(body, "outcome", errors);
        var note = String(body, "note", errors);
        var refUrl = String(body, "ref_url", errors) ?? testcaseUrl;
        JsonElement? data = body.TryGetProperty("data", out var d) ? d : null;
        string? item = null, scenario = null;
        if (data is { ValueKind: JsonValueKind.Object } dataObject)
        {
            item = First(dataObject, "item");
            scenario = First(dataObject, "scenario");
        }
        errors.AddIf(string.IsNullOrEmpty(item), "data.item", "data.item must name the candidate the result is for.");
        if (errors.Any)
        {
            return OutcomeResults.Invalid(errors);
        }
        var outcomeOfReport = await results.ReportAsync(user, item!, new ResultSubmission(testcase, outcome, scenario, refUrl, note, data, "data.scenario"), ct);
        return outcomeOfReport.ToResult(view => TypedResults.Created($"/api/v2.0/results/{view.Id}", ResultsDbResult.From(view, BaseUrl(request))));
    }

    private static async Task<IResult> SearchResultsDbAsync(HttpRequest request, IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct,
        string? item = null, string? testcases = null, string? outcome = null, string? since = null, int limit = 20, int page = 0)
    {
        var errors = new FieldErrors();
        errors.AddIf(limit is < 1 or > 1000, "limit", "Use 1 to 1000.");
        errors.AddIf(page < 0, "page", "Pages start at 0.");
        if (limit is >= 1 and <= 1000 && (long)page * limit > int.MaxValue)
        {
            // Skip(page * limit) would overflow.
            errors.Add("page", $"With limit={limit}, pages go up to {int.MaxValue / limit}.");
        }
        var outcomes = new List<Outcome>();
        foreach (var name in Split(outcome))
        {
            if (ResultService.Outcomes.TryGetValue(name.ToUpperInvariant(), out var parsed))
            {
                outcomes.Add(parsed);
            }
            else
            {
                errors.Add("outcome", $"'{name}' is not an outcome.");
            }
        }
        DateTimeOffset? from = null, until = null;
        if (since is { Length: > 0 })
        {
            var range = since.Split(',', 2);
            errors.AddIf(!DateTimeOffset.TryParse(range[0], null, System.Globalization.DateTimeStyles.AssumeUniversal, out var start), "since", "since is an ISO 8601 time, or a range 'from,to'.");
            from = start;
            if (range.Length == 2)
            {
                errors.AddIf(!DateTimeOffset.TryParse(range[1], null, System.Globalization.DateTimeStyles.AssumeUniversal, out var end), "since", "since is an ISO 8601 time, or a range 'from,to'.");
                until = end;
            }
        }
        if (errors.Any)
        {
            return OutcomeResults.Invalid(errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Results.AsNoTracking();
        var items = Split(item);
        if (items.Count > 0)
        {
            query = query.Where(r => items.Contains(r.CandidateId));
        }
        var names = Split(testcases);
        if (names.Count > 0)
        {
            query = query.Where(r => names.Contains(r.Testcase));
        }
        if (request.Query.TryGetValue("testcases:like", out var like) && like.ToString().Length > 0)
        {
            var patterns = Split(like.ToString()).Select(p => p.Replace('*', '%')).ToList();
            query = query.Where(r => patterns.Any(pattern => EF.Functions.Like(r.Testcase, pattern)));
        }
        if (outcomes.Count > 0)
        {
            query = query.Where(r => outcomes.Contains(r.Outcome));
        }
        if (from is { } f)
        {
            query = query.Where(r => r.CreatedAt >= f);
        }
        if (until is { } u)
        {
            query = query.Where(r => r.CreatedAt <= u);
        }
        var rows = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Skip(page * limit).Take(limit + 1).ToListAsync(ct);
        var baseUrl = BaseUrl(request);
        return TypedResults.Ok(new ResultsDbPage(
            rows.Take(limit).Select(r => ResultsDbResult.From(ResultService.ToView(r), baseUrl)).ToList(),
            page > 0 ? PageLink(request, page - 1) : null,
            rows.Count > limit ? PageLink(request, page + 1) : null));
    }

    private static string? String(JsonElement body, string name, FieldErrors errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(name, $"{name} must be a string.");
            return null;
        }
        return value.GetString();
    }

    private static string? First(JsonElement data, string key) =>
        !data.TryGetProperty(key, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value[0].ValueKind == JsonValueKind.String ? value[0].GetString()
        : null;

    private static List<string> Split(string? values) =>
        (values ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static string PageLink(HttpRequest request, int page)
    {
        var query = request.Query.Where(q => q.Key != "page").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"page={page}");
        return $"{BaseUrl(request)}{request.Path}?{string.Join('&', query)}";
    }
}

public sealed record ReportResultBody(string? Testcase, string? Outcome, string? Scenario,
    [property: JsonPropertyName("ref_url")] string? RefUrl, string? Note, JsonElement? Data);

/// <summary>A page of results in ResultsDB's shape.</summary>
public sealed record ResultsDbPage(IReadOnlyList<ResultsDbResult> Data, string? Prev, string? Next);

/// <summary>A result as ResultsDB 2.0 answers it, so existing consumers read ours unchanged.</summary>
public sealed record ResultsDbResult(
    long Id,
    ResultsDbTestcase Testcase,
    string Outcome,
    string? Note,
    [property: JsonPropertyName("ref_url")] string? RefUrl,
    [property: JsonPropertyName("submit_time")] string SubmitTime,
    IReadOnlyDictionary<string, string[]> Data,
    IReadOnlyList<string> Groups,
    string Href)
{
    public static ResultsDbResult From(ResultView view, string baseUrl)
    {
        var data = new Dictionary<string, string[]>(view.Data ?? new Dictionary<string, string[]>(), StringComparer.Ordinal)
        {
            ["item"] = [view.Candidate],
        };
        if (view.Scenario is not null)
        {
            data["scenario"] = [view.Scenario];
        }
        return new ResultsDbResult(view.Id, new ResultsDbTestcase(view.Testcase, null, $"{baseUrl}/api/v2.0/testcases/{Uri.EscapeDataString(view.Testcase)}"),
            view.Outcome, view.Note ?? "", view.RefUrl,
            view.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture),
            data, [], $"{baseUrl}/api/v2.0/results/{view.Id}");
    }
}

public sealed record ResultsDbTestcase(string Name, [property: JsonPropertyName("ref_url")] string? RefUrl, string Href);

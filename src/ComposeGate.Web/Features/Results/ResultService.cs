using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using ComposeGate.Access;
using ComposeGate.Data;
using ComposeGate.Gating;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Decisions;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Results;

/// <summary>
/// Test results reported for candidates, as in ResultsDB: append-only, and the latest per (testcase, scenario)
/// counts. A token limited to testcase globs may only report those testcases.
/// </summary>
public sealed class ResultService(IDbContextFactory<AppDbContext> dbFactory, ResultWriter writer, DecisionService decisions, TimeProvider clock)
{
    public const int MaxScenarioLength = 200;
    public const int MaxNoteLength = 10_000;
    public const int MaxRefUrlLength = 2_000;
    public const int MaxDataKeys = 100;
    public const int MaxDataKeyLength = 100;
    public const int MaxDataValueLength = 1_000;
    public const int MaxDataValues = 100;

    /// <summary>The outcomes as ResultsDB writes them.</summary>
    public static readonly IReadOnlyDictionary<string, Outcome> Outcomes = new Dictionary<string, Outcome>(StringComparer.Ordinal)
    {
        ["PASSED"] = Outcome.Passed,
        ["INFO"] = Outcome.Info,
        ["FAILED"] = Outcome.Failed,
        ["NEEDS_INSPECTION"] = Outcome.NeedsInspection,
        ["ERROR"] = Outcome.Error,
        ["QUEUED"] = Outcome.Queued,
        ["RUNNING"] = Outcome.Running,
    };

    public static string Name(Outcome outcome) => Outcomes.First(o => o.Value == outcome).Key;

    public async Task<Outcome<ResultView>> ReportAsync(ClaimsPrincipal reporter, string candidateId, ResultSubmission submission, CancellationToken ct = default)
    {
        if (!Actor.Has(reporter, Roles.Reporter))
        {
            return new Outcome<ResultView>.Forbidden("Reporting results needs the Reporter role or above.");
        }
        var errors = new FieldErrors();
        var testcase = TestcaseName.Validate(submission.Testcase, errors);
        var outcome = Outcome.Passed;
        if (!errors.AddIf(string.IsNullOrEmpty(submission.Outcome), "outcome", $"An outcome is required: {string.Join(", ", Outcomes.Keys)}."))
        {
            errors.AddIf(!Outcomes.TryGetValue(submission.Outcome!, out outcome), "outcome",
                $"'{submission.Outcome}' is not an outcome; use {string.Join(", ", Outcomes.Keys)}.");
        }
        var scenario = submission.Scenario?.Trim() ?? "";
        errors.AddIf(scenario.Length > MaxScenarioLength || scenario.Any(char.IsControl), submission.ScenarioField,
            $"A scenario is at most {MaxScenarioLength} printable characters.");
        if (submission.RefUrl is { Length: > 0 } refUrl)
        {
            errors.AddIf(refUrl.Length > MaxRefUrlLength || !Uri.TryCreate(refUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"),
                "ref_url", $"ref_url must be an http or https URL of at most {MaxRefUrlLength} characters.");
        }
        errors.AddIf(submission.Note is { Length: > MaxNoteLength }, "note", $"A note is at most {MaxNoteLength} characters.");
        var data = ReadData(submission.Data, errors);
        if (errors.Any)
        {
            return errors;
        }
        var globs = reporter.FindAll(ApiTokenAuthenticationHandler.TestcaseGlobClaim).Select(c => c.Value).ToList();
        if (globs.Count > 0 && !globs.Any(glob => Glob.Matches(glob, testcase)))
        {
            return new Outcome<ResultView>.Forbidden($"This token may report only testcases matching {string.Join(", ", globs)}; '{testcase}' is not one of them.");
        }

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (!await db.Candidates.AnyAsync(c => c.Id == candidateId, ct))
            {
                return new Outcome<ResultView>.NotFound($"No candidate '{candidateId}'.");
            }
        }
        var result = new Result
        {
            CandidateId = candidateId,
            Testcase = testcase,
            Scenario = scenario,
            Outcome = outcome,
            Reporter = Actor.NameOf(reporter),
            RefUrl = string.IsNullOrEmpty(submission.RefUrl) ? null : submission.RefUrl,
            Note = string.IsNullOrEmpty(submission.Note) ? null : submission.Note,
            Data = data is null ? null : JsonSerializer.Serialize(data),
            CreatedAt = clock.GetUtcNow(),
        };
        await writer.WriteAsync(result, ct);
        await decisions.RecomputeAsync(candidateId, result.Reporter, ct);
        return ToView(result);
    }

    public async Task<IReadOnlyList<ResultView>?> ListAsync(string candidateId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Candidates.AnyAsync(c => c.Id == candidateId, ct))
        {
            return null;
        }
        var results = await db.Results.AsNoTracking().Where(r => r.CandidateId == candidateId)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).ToListAsync(ct);
        return results.Select(ToView).ToList();
    }

    public static ResultView ToView(Result result) => new(result.Id, result.CandidateId, result.Testcase,
        result.Scenario.Length == 0 ? null : result.Scenario, Name(result.Outcome), result.Reporter, result.RefUrl, result.Note,
        result.Data is null ? null : JsonSerializer.Deserialize<Dictionary<string, string[]>>(result.Data), result.CreatedAt);

    /// <summary>
    /// ResultsDB's key/value data: string keys without ':', each value a string or a list of strings (stored
    /// as lists, as ResultsDB returns them), bounded in number and size.
    /// </summary>
    public static Dictionary<string, string[]>? ReadData(JsonElement? data, FieldErrors errors)
    {
        if (data is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add("data", "data must be an object of string keys.");
            return null;
        }
        var values = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var field = $"data.{property.Name}";
            if (property.Name.Length == 0 || property.Name.Length > MaxDataKeyLength || property.Name.Contains(':'))
            {
                errors.Add("data", $"'{property.Name}' is not a data key: 1-{MaxDataKeyLength} characters, without ':'.");
                continue;
            }
            string[]? list = property.Value.ValueKind switch
            {
                JsonValueKind.String => [property.Value.GetString()!],
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => [property.Value.GetRawText()],
                JsonValueKind.Array when property.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
                    property.Value.EnumerateArray().Select(v => v.GetString()!).ToArray(),
                _ => null,
            };
            if (list is null)
            {
                errors.Add(field, "A data value is a string or a list of strings.");
                continue;
            }
            if (list.Length > MaxDataValues || list.Any(v => v.Length > MaxDataValueLength))
            {
                errors.Add(field, $"At most {MaxDataValues} values of at most {MaxDataValueLength} characters.");
                continue;
            }
            values[property.Name] = list;
        }
        errors.AddIf(values.Count > MaxDataKeys, "data", $"At most {MaxDataKeys} keys.");
        return values;
    }
}

/// <summary>A reported result, from either API. <see cref="ScenarioField"/> names the field in errors.</summary>
public sealed record ResultSubmission(string? Testcase, string? Outcome, string? Scenario, string? RefUrl, string? Note, JsonElement? Data,
    string ScenarioField = "scenario");

public sealed record ResultView(long Id, string Candidate, string Testcase, string? Scenario, string Outcome, string Reporter,
    [property: System.Text.Json.Serialization.JsonPropertyName("ref_url")] string? RefUrl,
    string? Note, IReadOnlyDictionary<string, string[]>? Data, DateTimeOffset Created);

/// <summary>Testcase globs of tokens: <c>*</c> matches any run of characters, <c>?</c> one.</summary>
public static class Glob
{
    public static bool Matches(string glob, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

using Microsoft.AspNetCore.Http.HttpResults;

namespace ComposeGate.Web.Api;

/// <summary>Turns feature outcomes into HTTP answers: RFC 7807 problem details for every refusal.</summary>
internal static class OutcomeResults
{
    public static IResult ToResult<T>(this Outcome<T> outcome, Func<T, IResult> ok) => outcome switch
    {
        Outcome<T>.Ok success => ok(success.Value),
        Outcome<T>.Invalid invalid => TypedResults.ValidationProblem(
            invalid.Errors.ToDictionary(e => e.Key, e => e.Value), detail: "The request is not valid; see errors."),
        Outcome<T>.Conflict conflict => Problem(StatusCodes.Status409Conflict, "Conflict", conflict.Detail),
        Outcome<T>.NotFound notFound => Problem(StatusCodes.Status404NotFound, "Not found", notFound.Detail),
        Outcome<T>.Unprocessable unprocessable => Problem(StatusCodes.Status422UnprocessableEntity, "Unprocessable", unprocessable.Detail),
        Outcome<T>.Forbidden forbidden => Problem(StatusCodes.Status403Forbidden, "Forbidden", forbidden.Detail),
        _ => throw new InvalidOperationException($"Unhandled outcome {outcome.GetType().Name}."),
    };

    /// <summary>400 with per-field errors, for checks made in an endpoint itself.</summary>
    public static IResult Invalid(FieldErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary().ToDictionary(e => e.Key, e => e.Value), detail: "The request is not valid; see errors.");

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "Not found", detail);
}

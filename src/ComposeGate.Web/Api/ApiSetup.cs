using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace ComposeGate.Web.Api;

/// <summary>The JSON API's conventions: camelCase JSON, string enums, problem details for every error, OpenAPI.</summary>
internal static class ApiSetup
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options => Configure(options.SerializerOptions));
        // A body that does not bind throws, so the exception handler can name the field in the answer.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier));
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ComposeGate API",
                    Version = "v1",
                    Description = "The release gate's JSON API for bots and scripts. Authenticate with 'Authorization: Bearer <token>'.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API token minted by an admin (POST /api/v1/tokens).",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(OpenApiRoles.Transform);
        });
        return builder;
    }

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // JsonSerializerDefaults.Web reads "1" as 1; the API takes a number only as a number.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    /// <summary>API requests get problem details for unmatched routes and other bare status codes.</summary>
    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseWhen(context => Access.ApiAuthorizationResultHandler.IsApiRequest(context.Request), api => api.UseStatusCodePages());
        // The job dashboard answers its own scripts' requests with bare status codes; they stay bare.
        app.UseWhen(context => !Access.ApiAuthorizationResultHandler.IsApiRequest(context.Request)
                && !context.Request.Path.StartsWithSegments(Features.Jobs.JobsSetup.DashboardPath),
            ui => ui.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        return app;
    }
}

/// <summary>
/// Turns a request that could not be bound (malformed JSON, wrong types, oversized body) into problem
/// details naming the JSON path; every other exception becomes a plain 500 without internals.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!Access.ApiAuthorizationResultHandler.IsApiRequest(context.Request))
        {
            return false;
        }
        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            // A body refused while an endpoint read it itself (a hook, an ingest, a policy's YAML).
            RefusedBodyException refused => FromJson(refused),
            _ => null,
        };
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error in {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = new ProblemDetails { Status = 500, Title = "Internal error", Detail = "The server failed; the error is logged with this trace id." };
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            return FromJson(json);
        }
        // Route and query values that do not parse ("?limit=abc", "?limit=99999999999"): name the parameter like a field.
        if (BindFailure().Match(bad.Message) is { Success: true } failure)
        {
            var name = failure.Groups["name"].Value;
            return new ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [name] = [$"'{failure.Groups["value"].Value}' is not a valid {failure.Groups["type"].Value.TrimEnd('?')}."],
            })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Bad request",
                Detail = $"The parameter '{name}' is not valid.",
            };
        }
        return new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "Body too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                _ => "Bad request",
            },
            Detail = bad.Message,
        };
    }

    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[^\" ]+)\" from \"(?<value>.*)\"\\.$", RegexOptions.Singleline)]
    private static partial Regex BindFailure();

    /// <summary>A body that did not parse, bind or pass the body checks: 400 naming its JSON path (or line).</summary>
    public static ValidationProblemDetails FromJson(JsonException json)
    {
        var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        var reason = json.Message.Split(" Path:", 2)[0];
        // The serializer's wording names our internal types; say what is wrong in the request's terms.
        if (reason.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            reason = "The value has the wrong type, or is not one of the allowed values.";
        }
        var refused = json as RefusedBodyException;
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [path] = [reason] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = refused?.Title ?? RefusedBodyException.MalformedTitle,
            Detail = refused?.Title == RefusedBodyException.RefusedTitle
                ? $"The body holds text the API does not accept at {path}: {reason}"
                : $"The body is not valid JSON for this request at {path}: {reason}",
        };
    }
}

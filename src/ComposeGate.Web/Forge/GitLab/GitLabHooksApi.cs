using System.Text.Json;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace ComposeGate.Web.Forge.GitLab;

public static class GitLabHooksApi
{
    public const long MaxHookBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapGitLabHooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/gitlab", HandleAsync).AllowAnonymous().WithTags("Hooks")
            .WithMetadata(new RequestSizeLimitAttribute(MaxHookBytes))
            .Accepts<GitLabHookEvent>("application/json")
            .WithSummary("GitLab webhook: merge request, note and emoji events become votes and commands")
            .WithDescription("Authenticated by X-Gitlab-Token (the configured ComposeGate:Forge:GitLab:WebhookSecret); Idempotency-Key deduplicates retries. "
                + "👍/👎 and /approve, /block <reason> vote as the mapped user; /waive <testcase> <reason> and /retest <testcase> act as in the UI.");
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, IConfiguration configuration, GitLabHookHandler handler, CancellationToken ct)
    {
        var secret = configuration["ComposeGate:Forge:GitLab:WebhookSecret"];
        if (!GitLabHookHandler.IsAuthentic(secret, request.Headers["X-Gitlab-Token"].FirstOrDefault()))
        {
            return OutcomeResults.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "The X-Gitlab-Token does not match the configured webhook secret.");
        }
        if (!request.HasJsonContentType())
        {
            return OutcomeResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "GitLab sends its hooks as application/json.");
        }
        GitLabHookEvent? hook;
        try
        {
            hook = await JsonSerializer.DeserializeAsync<GitLabHookEvent>(request.Body, GitLabHookEvent.Json, ct);
        }
        catch (JsonException e)
        {
            // GitLab shows the status and body in the hook's log: a wrong field is named there, and nothing was acted on.
            return TypedResults.Problem(BadRequestExceptionHandler.FromJson(e));
        }
        if (hook is null)
        {
            return OutcomeResults.Invalid(new FieldErrors().Add("$", "The body must be a JSON object."));
        }
        var outcome = await handler.HandleAsync(request.Headers["Idempotency-Key"].FirstOrDefault(), request.Headers["X-Gitlab-Event"].FirstOrDefault(),
            hook, configuration["ComposeGate:Forge:GitLab:BotUsername"], ct);
        return TypedResults.Ok(outcome);
    }
}

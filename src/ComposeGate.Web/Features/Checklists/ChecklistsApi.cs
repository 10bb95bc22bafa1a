using System.Security.Claims;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;

namespace ComposeGate.Web.Features.Checklists;

public static class ChecklistsApi
{
    public static IEndpointRouteBuilder MapChecklistsApi(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/api/v1/checklists").WithTags("Checklists");
        templates.MapGet("/", async (ChecklistService checklists, CancellationToken ct) => TypedResults.Ok(await checklists.ListTemplatesAsync(ct)))
            .RequireAuthorization(AccessPolicies.ViewerOrAbove).WithSummary("Checklist templates, each at its latest version");
        templates.MapGet("/{name}", GetTemplateAsync).RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("One checklist template (?version= for an older one)");
        templates.MapPost("/", SaveTemplateAsync).RequireAuthorization(AccessPolicies.Admin)
            .WithSummary("Create a template, or a new version of it: {\"name\",\"title\",\"description\"?,\"items\":[{\"key\",\"title\",\"instructions\",\"required\"}]}")
            .WithDescription("201 when a version was created, 200 when the content is unchanged. Runs keep the version they started with.")
            .ProducesValidationProblem();

        app.MapPost("/api/v1/candidates/{id}/checklists", StartRunAsync).WithTags("Checklists").RequireAuthorization(AccessPolicies.TesterOrAbove)
            .WithSummary("Start a checklist run on a candidate: {\"template\"}");
        app.MapGet("/api/v1/candidates/{id}/checklists", async (string id, ChecklistService checklists, CancellationToken ct) =>
                TypedResults.Ok(await checklists.ListRunsAsync(id, ct)))
            .WithTags("Checklists").RequireAuthorization(AccessPolicies.ViewerOrAbove).WithSummary("The checklist runs of a candidate");
        var runs = app.MapGroup("/api/v1/checklist-runs").WithTags("Checklists");
        runs.MapGet("/{runId:long}", async (long runId, ChecklistService checklists, CancellationToken ct) =>
                await checklists.GetRunAsync(runId, ct) is { } run ? Microsoft.AspNetCore.Http.Results.Ok(run) : OutcomeResults.NotFound($"No checklist run {runId}."))
            .RequireAuthorization(AccessPolicies.ViewerOrAbove).WithSummary("One checklist run with every item's state");
        runs.MapPut("/{runId:long}/items/{key}", RecordItemAsync).RequireAuthorization(AccessPolicies.TesterOrAbove)
            .WithSummary("Record an item: {\"state\":\"passed\"|\"failed\"|\"skipped\",\"comment\"}; the run finishes when every required item has a state");
        return app;
    }

    private static async Task<IResult> GetTemplateAsync(string name, ChecklistService checklists, CancellationToken ct, int? version = null) =>
        await checklists.GetTemplateAsync(name, version, ct) is { } template
            ? TypedResults.Ok(template)
            : OutcomeResults.NotFound($"No checklist template '{name}'{(version is null ? "" : $" version {version}")}.");

    private static async Task<IResult> SaveTemplateAsync(TemplateRequest request, ClaimsPrincipal user, ChecklistService checklists, CancellationToken ct) =>
        (await checklists.SaveTemplateAsync(user, request, ct)).ToResult(saved => saved.Created
            ? TypedResults.Created($"/api/v1/checklists/{saved.Template.Name}?version={saved.Template.Version}", saved.Template)
            : TypedResults.Ok(saved.Template));

    private static async Task<IResult> StartRunAsync(string id, StartRunRequest request, ClaimsPrincipal user, ChecklistService checklists, CancellationToken ct) =>
        (await checklists.StartRunAsync(user, id, request.Template, ct)).ToResult(run => TypedResults.Created($"/api/v1/checklist-runs/{run.Id}", run));

    private static async Task<IResult> RecordItemAsync(long runId, string key, RecordItemRequest request, ClaimsPrincipal user, ChecklistService checklists, CancellationToken ct) =>
        (await checklists.RecordItemAsync(user, runId, key, request.State, request.Comment, ct)).ToResult(TypedResults.Ok);
}

public sealed record StartRunRequest(string? Template);

public sealed record RecordItemRequest(string? State, string? Comment);

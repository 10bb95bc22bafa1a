using System.Security.Claims;
using System.Text;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using Microsoft.AspNetCore.Mvc;

namespace ComposeGate.Web.Features.Policies;

public static class PoliciesApi
{
    public static IEndpointRouteBuilder MapPoliciesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/streams/{stream}/policy").WithTags("Policies");
        api.MapGet("/", GetAsync).RequireAuthorization(AccessPolicies.ViewerOrAbove)
            .WithSummary("The stream's current policy (JSON; the YAML itself with Accept: text/yaml); ?version= for an older one");
        api.MapPut("/", PutAsync).RequireAuthorization(AccessPolicies.Admin)
            .WithMetadata(new RequestSizeLimitAttribute(PolicyService.MaxYamlLength))
            .Accepts<string>("text/yaml")
            .WithSummary("Replace the policy (body: text/yaml); invalid YAML or unknown keys → 400 with line numbers")
            .WithDescription("201 when a new version was written, 200 when the YAML is unchanged.")
            .ProducesValidationProblem();
        api.MapGet("/versions", async (string stream, PolicyService policies, CancellationToken ct) => TypedResults.Ok(await policies.HistoryAsync(stream, ct)))
            .RequireAuthorization(AccessPolicies.ViewerOrAbove).WithSummary("Every version of the stream's policy, newest first");
        return app;
    }

    private static async Task<IResult> GetAsync(string stream, HttpRequest request, PolicyService policies, CancellationToken ct, int? version = null)
    {
        if (await policies.GetAsync(stream, version, ct) is not { } policy)
        {
            return OutcomeResults.NotFound($"Stream '{stream}' has no policy{(version is null ? "" : $" version {version}")}: nothing can pass until an admin writes one.");
        }
        return request.Headers.Accept.Any(a => a?.Contains("yaml", StringComparison.OrdinalIgnoreCase) == true)
            ? TypedResults.Text(policy.Yaml, "text/yaml", Encoding.UTF8)
            : TypedResults.Ok(policy);
    }

    private static async Task<IResult> PutAsync(string stream, HttpRequest request, ClaimsPrincipal user, PolicyService policies, CancellationToken ct)
    {
        var type = request.ContentType ?? "";
        if (!(type.Contains("yaml", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)))
        {
            return OutcomeResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the policy as text/yaml.");
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var yaml = await reader.ReadToEndAsync(ct);
        var comment = request.Headers["X-Policy-Comment"].ToString();
        return (await policies.SaveAsync(user, stream, yaml, comment, ct)).ToResult(saved => saved.Created
            ? TypedResults.Created($"/api/v1/streams/{Uri.EscapeDataString(stream)}/policy?version={saved.Policy.Version}", saved.Policy)
            : TypedResults.Ok(saved.Policy));
    }
}

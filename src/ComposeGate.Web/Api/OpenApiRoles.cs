using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ComposeGate.Web.Api;

/// <summary>
/// Writes each operation's required role into the OpenAPI document (<c>x-composegate-role</c> and the
/// description), so bot authors see what their token needs without reading our code.
/// </summary>
internal static class OpenApiRoles
{
    public const string Extension = "x-composegate-role";

    public static Task Transform(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }
        var policy = metadata.OfType<IAuthorizeData>().LastOrDefault(a => a.Policy is not null)?.Policy;
        if (policy is null)
        {
            return Task.CompletedTask;
        }
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions[Extension] = new JsonNodeExtension(JsonValue.Create(policy));
        operation.Description = string.IsNullOrEmpty(operation.Description) ? $"Role: {policy}." : $"Role: {policy}. {operation.Description}";
        return Task.CompletedTask;
    }

    public static string? Read(IOpenApiExtension extension) =>
        extension is JsonNodeExtension node ? node.Node.GetValue<string>() : null;
}

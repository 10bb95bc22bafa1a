using System.Security.Claims;
using ComposeGate.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace ComposeGate.Web.Access;

/// <summary>
/// Bots get 401 / 403 as problem details instead of the UI's redirects to the sign-in page.
/// </summary>
internal sealed class ApiAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler ui = new();

    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hooks");

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !IsApiRequest(context.Request))
        {
            await ui.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Challenged)
        {
            // Handlers cache their result per request, so asking again costs nothing and tells why.
            var failure = (await context.AuthenticateAsync(AccessSetup.ApiOrCookieScheme)).Failure?.Message;
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteAsync(context, "Unauthorized",
                failure ?? "Authentication is required: send 'Authorization: Bearer <token>' or sign in.");
            return;
        }

        var needed = policy.Requirements.OfType<RolesAuthorizationRequirement>().FirstOrDefault()?.AllowedRoles.FirstOrDefault();
        var held = Roles.Highest(context.User.FindAll(ClaimTypes.Role).Select(c => c.Value)) ?? "no role";
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteAsync(context, "Forbidden", needed is null
            ? "You are not allowed to do this."
            : $"This needs the {needed} role or above; you have {held}.");
    }

    private Task WriteAsync(HttpContext context, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = context.Response.StatusCode, Title = title, Detail = detail },
        }).AsTask();
}

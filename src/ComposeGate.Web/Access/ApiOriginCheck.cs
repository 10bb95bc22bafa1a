using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ComposeGate.Web.Access;

/// <summary>
/// Refuses API writes made with the sign-in cookie unless they come from ComposeGate's own pages. A browser sends
/// the cookie with any request a page of another origin makes (another port of the same host included), so
/// without this a bodyless <c>POST …/promote</c> could be forged. Bots send bearer tokens and are not affected.
/// Runs after authentication (it needs to know how the request was authenticated) and before the endpoint.
/// </summary>
internal sealed class ApiOriginCheck(RequestDelegate next, ILogger<ApiOriginCheck> logger)
{
    public const string Refusal =
        "A signed-in browser session may only write to the API from ComposeGate's own pages; bots use a bearer token.";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || IsSafe(request.Method) || !IsCookieSession(context) || IsSameOrigin(request))
        {
            await next(context);
            return;
        }

        logger.LogWarning("Refused a cookie-authenticated {Method} {Path} from origin {Origin} (Sec-Fetch-Site {Site})",
            request.Method, request.Path, request.Headers.Origin.ToString(), request.Headers["Sec-Fetch-Site"].ToString());
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Forbidden", Detail = Refusal },
        });
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    // Anonymous requests pass on to authorization, which answers 401; a bearer request never reads the cookie.
    private static bool IsCookieSession(HttpContext context) =>
        context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == IdentityConstants.ApplicationScheme);

    /// <summary>
    /// Our origin is the request's own scheme://host[:port]. Browsers send Origin on every cross-origin write; when
    /// they send none, only <c>Sec-Fetch-Site: same-origin</c> vouches for the page. Nothing else (no header,
    /// <c>null</c>, <c>same-site</c>) is trusted.
    /// </summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin;
        if (origin.Count > 0)
        {
            return origin.Count == 1
                && string.Equals(origin[0], $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
        }
        var site = request.Headers["Sec-Fetch-Site"];
        return site.Count == 1 && string.Equals(site[0], "same-origin", StringComparison.Ordinal);
    }
}

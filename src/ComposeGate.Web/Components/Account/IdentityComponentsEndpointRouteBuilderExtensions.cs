using ComposeGate.Access;
using ComposeGate.Web.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ComposeGate.Web.Components.Account;

internal static class IdentityComponentsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Sign-out is a POST (with antiforgery) so no link, image or other site can sign a person out. The passkey
    /// options are POSTs with antiforgery too: each starts a ceremony whose state the response's cookie carries.
    /// </summary>
    public static IEndpointConventionBuilder MapAdditionalIdentityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var accountGroup = endpoints.MapGroup("/Account").ExcludeFromDescription();
        accountGroup.MapPost("/Logout", LogoutAsync);
        accountGroup.MapPost("/PasskeyCreationOptions", PasskeyCreationOptionsAsync);
        accountGroup.MapPost("/PasskeyRequestOptions", PasskeyRequestOptionsAsync);
        return accountGroup;
    }

    private static async Task<Results<ProblemHttpResult, RedirectHttpResult>> LogoutAsync(
        HttpContext context, [FromServices] IAntiforgery antiforgery, [FromServices] SignInManager<ApplicationUser> signInManager)
    {
        // Checked here rather than left to form binding (which throws under the API's ThrowOnBadRequest), so a
        // forged sign-out is a plain 400 and the session stays.
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return MissingAntiforgery("Signing out");
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        await signInManager.SignOutAsync();
        return TypedResults.LocalRedirect(IdentityRedirectManager.LocalPathOrRoot(form["ReturnUrl"]));
    }

    /// <summary>Options for adding a passkey to the signed-in person's own account.</summary>
    private static async Task<Results<ProblemHttpResult, ContentHttpResult>> PasskeyCreationOptionsAsync(
        HttpContext context, [FromServices] IAntiforgery antiforgery, [FromServices] UserManager<ApplicationUser> users,
        [FromServices] AccountPasskeys passkeys)
    {
        // The sign-in cookie only (as AccessPolicies.SignedInPerson), answered here rather than by a redirect to the
        // sign-in page, which the page's script could not read.
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await users.GetUserAsync(session.Principal) : null;
        if (user is null || user.DisabledAt is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "Adding a passkey needs you signed in: sign in, then add it from your account's Passkeys page.");
        }
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return MissingAntiforgery("Adding a passkey");
        }
        return Options(context, await passkeys.CreationOptionsAsync(user));
    }

    /// <summary>Options for signing in with a passkey: anyone may ask, and the answer names no account.</summary>
    private static async Task<Results<ProblemHttpResult, ContentHttpResult>> PasskeyRequestOptionsAsync(
        HttpContext context, [FromServices] IAntiforgery antiforgery, [FromServices] SignInManager<ApplicationUser> signInManager)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return MissingAntiforgery("Signing in with a passkey");
        }
        // No user name is taken: options for an account would list its passkeys, and so tell whether it exists. The
        // authenticator offers the passkeys it holds for this site instead (they are all discoverable).
        return Options(context, await signInManager.MakePasskeyRequestOptionsAsync(user: null));
    }

    private static ContentHttpResult Options(HttpContext context, string json)
    {
        // Each answer carries a fresh challenge, good once.
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Content(json, "application/json");
    }

    private static ProblemHttpResult MissingAntiforgery(string action) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
            detail: $"{action} needs the page's antiforgery token: reload the page and try again.");
}

using ComposeGate.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ComposeGate.Web.Components.Account;

internal static class IdentityComponentsEndpointRouteBuilderExtensions
{
    /// <summary>Sign-out is a POST (with antiforgery) so no link, image or other site can sign a person out.</summary>
    public static IEndpointConventionBuilder MapAdditionalIdentityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var accountGroup = endpoints.MapGroup("/Account").ExcludeFromDescription();
        accountGroup.MapPost("/Logout", LogoutAsync);
        return accountGroup;
    }

    private static async Task<Results<ProblemHttpResult, RedirectHttpResult>> LogoutAsync(
        HttpContext context, [FromServices] IAntiforgery antiforgery, [FromServices] SignInManager<ApplicationUser> signInManager)
    {
        // Checked here rather than left to form binding (which throws under the API's ThrowOnBadRequest), so a
        // forged sign-out is a plain 400 and the session stays.
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                detail: "Signing out needs the form's antiforgery token: reload the page and sign out again.");
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        await signInManager.SignOutAsync();
        return TypedResults.LocalRedirect(IdentityRedirectManager.LocalPathOrRoot(form["ReturnUrl"]));
    }
}

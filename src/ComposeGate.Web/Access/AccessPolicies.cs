using ComposeGate.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace ComposeGate.Web.Access;

/// <summary>Authorization policies named after the least role they admit ("Reporter+" and up).</summary>
internal static class AccessPolicies
{
    public const string ViewerOrAbove = "Viewer+";
    public const string ReporterOrAbove = "Reporter+";
    public const string TesterOrAbove = "Tester+";
    public const string ReleaseEngineerOrAbove = "ReleaseEngineer+";
    public const string Admin = "Admin";
    /// <summary>Submitting candidates: release engineers and admins, or a token with ingest rights.</summary>
    public const string Ingest = "Ingest";
    /// <summary>
    /// A person signed in with the sign-in cookie, on the pages that change how they sign in (passkeys): a bearer
    /// token, even one acting for the person, must never add a way to sign in as them.
    /// </summary>
    public const string SignedInPerson = "SignedInPerson";
    /// <summary>The Hangfire dashboard: a person signed in with the cookie, Viewer or above (bots read <c>/api/v1/jobs</c>).</summary>
    public const string Dashboard = "Dashboard";

    public static void Add(AuthorizationOptions options)
    {
        AddAtLeast(options, ViewerOrAbove, Roles.Viewer);
        AddAtLeast(options, ReporterOrAbove, Roles.Reporter);
        AddAtLeast(options, TesterOrAbove, Roles.Tester);
        AddAtLeast(options, ReleaseEngineerOrAbove, Roles.ReleaseEngineer);
        AddAtLeast(options, Admin, Roles.Admin);
        options.AddPolicy(Ingest, policy => policy
            .AddAuthenticationSchemes(AccessSetup.ApiOrCookieScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context =>
                Actor.Has(context.User, Roles.ReleaseEngineer)
                || (Actor.Has(context.User, Roles.Reporter) && context.User.HasClaim(ApiTokenAuthenticationHandler.IngestClaim, "true"))));
        options.AddPolicy(Dashboard, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()
            .RequireRole(Roles.AtLeast(Roles.Viewer)));
        options.AddPolicy(SignedInPerson, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser());
    }

    private static void AddAtLeast(AuthorizationOptions options, string name, string role) =>
        options.AddPolicy(name, policy => policy
            .AddAuthenticationSchemes(AccessSetup.ApiOrCookieScheme)
            .RequireAuthenticatedUser()
            .RequireRole(Roles.AtLeast(role)));
}

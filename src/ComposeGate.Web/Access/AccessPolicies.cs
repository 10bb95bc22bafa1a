using ComposeGate.Access;
using Microsoft.AspNetCore.Authorization;

namespace ComposeGate.Web.Access;

/// <summary>Authorization policies named after the least role they admit ("Reporter+" and up).</summary>
internal static class AccessPolicies
{
    public const string ViewerOrAbove = "Viewer+";
    public const string ReporterOrAbove = "Reporter+";
    public const string TesterOrAbove = "Tester+";
    public const string ReleaseEngineerOrAbove = "ReleaseEngineer+";
    public const string Admin = "Admin";

    public static void Add(AuthorizationOptions options)
    {
        AddAtLeast(options, ViewerOrAbove, Roles.Viewer);
        AddAtLeast(options, ReporterOrAbove, Roles.Reporter);
        AddAtLeast(options, TesterOrAbove, Roles.Tester);
        AddAtLeast(options, ReleaseEngineerOrAbove, Roles.ReleaseEngineer);
        AddAtLeast(options, Admin, Roles.Admin);
    }

    private static void AddAtLeast(AuthorizationOptions options, string name, string role) =>
        options.AddPolicy(name, policy => policy
            .AddAuthenticationSchemes(AccessSetup.ApiOrCookieScheme)
            .RequireAuthenticatedUser()
            .RequireRole(Roles.AtLeast(role)));
}

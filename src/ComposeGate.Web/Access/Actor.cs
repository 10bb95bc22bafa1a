using System.Security.Claims;
using ComposeGate.Access;

namespace ComposeGate.Web.Access;

/// <summary>Who is acting, as recorded in audit events, results and votes.</summary>
internal static class Actor
{
    public const string System = "system";

    public static string NameOf(ClaimsPrincipal principal) => principal.Identity?.Name ?? "anonymous";

    public static bool Has(ClaimsPrincipal principal, string minimumRole) =>
        principal.FindAll(ClaimTypes.Role).Any(c => Roles.Satisfies(c.Value, minimumRole));
}

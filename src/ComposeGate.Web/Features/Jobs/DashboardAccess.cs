using ComposeGate.Access;
using ComposeGate.Web.Access;
using Hangfire.Dashboard;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Who may use the dashboard at <c>/hangfire</c>: its endpoints require a cookie sign-in with Viewer or above
/// (<see cref="AccessPolicies.Dashboard"/>: anonymous people are sent to sign in); this filter checks again inside
/// Hangfire, replacing its default "local requests only". Retrying, deleting and triggering jobs need
/// ReleaseEngineer or above: for everyone else the dashboard is read-only and its buttons refuse.
/// </summary>
internal sealed class DashboardAccess : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => Actor.Has(context.GetHttpContext().User, Roles.Viewer);

    public static bool IsReadOnly(DashboardContext context) => !Actor.Has(context.GetHttpContext().User, Roles.ReleaseEngineer);
}

using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Web.Access;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// What people do on the job dashboard goes into the audit trail like everything else they do: each accepted command
/// (trigger, requeue, delete, remove a recurring job) with the person and the job ids. Refused commands (read-only,
/// no antiforgery token) changed nothing and are not recorded.
/// </summary>
internal static class DashboardAudit
{
    public const string Kind = "job.dashboard";

    public static IApplicationBuilder UseJobDashboardAudit(this IApplicationBuilder app) => app.UseWhen(
        context => HttpMethods.IsPost(context.Request.Method)
            && context.Request.Path.StartsWithSegments(JobsSetup.DashboardPath, out var command)
            // The page's own polling of its counters.
            && !command.StartsWithSegments("/stats"),
        dashboard => dashboard.Use(async (context, next) =>
        {
            context.Request.Path.StartsWithSegments(JobsSetup.DashboardPath, out var command);
            string[] jobs = [];
            if (context.Request.HasFormContentType)
            {
                context.Request.EnableBuffering();
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                jobs = form["jobs[]"].Where(j => !string.IsNullOrEmpty(j)).Select(j => j!).ToArray();
                context.Request.Body.Position = 0;
            }
            await next(context);
            if (context.Response.StatusCode is >= 200 and < 300)
            {
                var services = context.RequestServices;
                await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(CancellationToken.None);
                var what = jobs.Length == 0 ? "" : $" for {string.Join(", ", jobs.Take(20))}{(jobs.Length > 20 ? $" and {jobs.Length - 20} more" : "")}";
                db.Record(services.GetRequiredService<TimeProvider>().GetUtcNow(), Actor.NameOf(context.User), Kind,
                    $"Job dashboard: {command.Value?.TrimStart('/')}{what}", data: new { command = command.Value, jobs });
                await db.SaveChangesAsync(CancellationToken.None);
            }
        }));
}

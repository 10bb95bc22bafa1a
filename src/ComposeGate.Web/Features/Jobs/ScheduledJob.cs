using System.Linq.Expressions;
using Hangfire.Common;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// A recurring job as the feature that owns it declares it: a stable id (what <c>POST /api/v1/jobs/{name}/run</c> and
/// the dashboard's recurring jobs name), the words on the Jobs page, a cron in UTC (seconds allowed) and what it runs.
/// <see cref="RunAtStart"/> jobs also run once when the app starts (catching up on what happened while it was down).
/// </summary>
public sealed record ScheduledJob(string Id, string Description, string Cron, Job Job, bool RunAtStart = false)
{
    public static ScheduledJob Of<T>(string id, string description, string cron, Expression<Func<T, Task>> run, bool runAtStart = false) =>
        new(id, description, cron, Job.FromExpression(run), runAtStart);
}

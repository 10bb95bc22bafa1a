using Quartz;

namespace ComposeGate.Web.Features.Decisions;

/// <summary>Every minute: waivers expire and soak times pass without anyone acting, and decisions must notice.</summary>
[DisallowConcurrentExecution]
public sealed class DecisionRefreshJob(DecisionService decisions) : IJob
{
    public const string Schedule = "0 * * * * ?";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await decisions.RecomputeOpenAsync(ct);
}

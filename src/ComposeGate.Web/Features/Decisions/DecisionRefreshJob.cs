using Hangfire;

namespace ComposeGate.Web.Features.Decisions;

/// <summary>Every minute: waivers expire and soak times pass without anyone acting, and decisions must notice.</summary>
public sealed class DecisionRefreshJob(DecisionService decisions)
{
    public const string Id = "decision-refresh";
    public const string Schedule = "* * * * *";

    [JobDisplayName("Recompute open candidates' decisions")]
    public Task RunAsync(CancellationToken ct) => decisions.RecomputeOpenAsync(ct);
}

using ComposeGate.Web.Features.Promotion;
using Quartz;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// The promotion worker as a Quartz job: triggered at once when a promotion is requested, and on a short interval
/// as a sweep that finds unfinished attempts (after a restart) and approved candidates of <c>promote: auto</c>
/// streams nobody promoted yet. Never two at a time, so attempts run one after another.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PromotionJob(PromotionRunner runner, PromotionService promotion, IHostApplicationLifetime lifetime, ILogger<PromotionJob> logger) : IJob
{
    public static readonly JobKey Key = new("promotion");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        // Stopping the app interrupts a step: it stays running in the database and resumes after the restart.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        try
        {
            await runner.RunUnfinishedAsync(stopping.Token);
            // An attempt created here triggers this job again, which runs it as soon as this run ends.
            foreach (var candidate in await promotion.ApprovedAsync(stopping.Token))
            {
                if (await promotion.AutoPromoteAsync(candidate, stopping.Token))
                {
                    logger.LogInformation("The sweep promoted the approved candidate {Candidate} (promote: auto)", candidate);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}

/// <summary>Wakes the promotion job now rather than at its next sweep.</summary>
public sealed class PromotionQueue(ISchedulerFactory schedulers)
{
    public async Task SignalAsync(CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        if (scheduler.Status is not (SchedulerStatus.ShuttingDown or SchedulerStatus.Shutdown))
        {
            await scheduler.TriggerJob(PromotionJob.Key, ct);
        }
    }
}

using ComposeGate.Promotion;
using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Features.Promotion;
using Hangfire;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// Promotion as Hangfire jobs: one job per attempt, the sweep that resumes what a crash or an outage left unfinished,
/// and the <c>promote: auto</c> check enqueued when a decision changes. The steps are recorded in our tables, so a job
/// that Hangfire runs again (after a crash) skips the finished steps and runs the interrupted one again, told its try.
/// A stream's attempts run one at a time (a distributed lock), so two workers never run the same promotion.
/// </summary>
public sealed class PromotionJobs(
    PromotionRunner runner,
    PromotionService promotion,
    PromotionQueue queue,
    JobStorage storage,
    IHostApplicationLifetime lifetime,
    ILogger<PromotionJobs> logger)
{
    public const string SweepId = "promotion";

    /// <summary>Runs (or resumes) one attempt. A failed or cancelled attempt fails the job, with the attempt's error.</summary>
    [JobDisplayName("Promote {0} (attempt {1})")]
    public async Task PromoteAsync(string candidateId, int attempt, CancellationToken ct)
    {
        if (await promotion.AttemptAsync(candidateId, attempt, ct) is not { } found)
        {
            logger.LogWarning("Promotion {Attempt} of {Candidate} does not exist (the candidate was deleted); nothing to run", attempt, candidateId);
            return;
        }
        if (found.Status is PromotionStatus.Pending or PromotionStatus.Running)
        {
            // Stopping the app is not a cancel: the step stays running in the database and the job runs again after the
            // restart. Any other end of the job's token (deleted on the dashboard) cancels the promotion.
            var stopping = lifetime.ApplicationStopping;
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
            using var held = await JobLock.TakeAsync(storage, $"promotion:{found.Stream}", waiting.Token);
            // Read again under the lock: another run of this job may have finished the attempt meanwhile.
            found = await promotion.AttemptAsync(candidateId, attempt, ct) ?? found;
            if (found.Status is PromotionStatus.Pending or PromotionStatus.Running)
            {
                using var cancel = ct.Register(() =>
                {
                    if (!stopping.IsCancellationRequested)
                    {
                        runner.Interrupt(found.Id);
                    }
                });
                await runner.RunAsync(found.Id, stopping);
                found = await promotion.AttemptAsync(candidateId, attempt, CancellationToken.None) ?? found;
            }
        }
        if (found.Status is PromotionStatus.Failed or PromotionStatus.Cancelled)
        {
            throw new PromotionFailedException($"Promotion {attempt} of {candidateId} {found.Status.ToString().ToLowerInvariant()}: {found.Error}");
        }
    }

    /// <summary>
    /// The <c>promotion</c> recurring job, also run at start-up: enqueues a job for every unfinished attempt whose job is
    /// gone (a crash between recording the attempt and enqueueing it), promotes approved candidates of <c>promote: auto</c>
    /// streams that a restart kept from being noticed, and opens the issues a forge outage left unopened.
    /// </summary>
    [JobDisplayName("Resume unfinished promotions and promote approved candidates (promote: auto)")]
    public async Task SweepAsync(CancellationToken ct)
    {
        using var held = JobLock.TryTake(storage, "promotion-sweep", TimeSpan.Zero);
        if (held is null)
        {
            return;
        }
        foreach (var unfinished in await promotion.UnfinishedAsync(ct))
        {
            if (!queue.IsAlive(unfinished.JobId))
            {
                logger.LogInformation("Promotion {Attempt} of {Candidate} has no job waiting or running; enqueueing it", unfinished.Number, unfinished.Candidate);
                await queue.EnqueueAsync(unfinished.Id, unfinished.Candidate, unfinished.Number, ct);
            }
        }
        foreach (var candidate in await promotion.ApprovedAsync(ct))
        {
            if (await promotion.AutoPromoteAsync(candidate, ct))
            {
                logger.LogInformation("The sweep promoted the approved candidate {Candidate} (promote: auto)", candidate);
            }
        }
        await runner.OpenMissingIssuesAsync(ct);
    }

    /// <summary>Enqueued when a candidate's decision or status changes: promotes it if it is approved and its stream says <c>promote: auto</c>.</summary>
    [JobDisplayName("Promote {0} if approved (promote: auto)")]
    public async Task AutoPromoteAsync(string candidateId, CancellationToken ct)
    {
        queue.AutoStarted(candidateId);
        await promotion.AutoPromoteAsync(candidateId, ct);
    }
}

/// <summary>A promotion that ended failed or cancelled: the job fails with the attempt's error, and its continuation (the merge) does not run.</summary>
public sealed class PromotionFailedException(string message) : Exception(message);

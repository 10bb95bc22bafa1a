using ComposeGate.Promotion;
using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Features.Promotion;
using Hangfire;
using Hangfire.Server;
using Hangfire.States;

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
    TimeProvider clock,
    ILogger<PromotionJobs> logger)
{
    public const string SweepId = "promotion";

    /// <summary>
    /// Runs (or resumes) one attempt. A failed or cancelled attempt fails the job, with the attempt's error. Stopping the
    /// app is not a cancel: the step stays running in the database and Hangfire runs the job again after the restart;
    /// a requeue on the dashboard is not one either. Deleting the running job on the dashboard cancels the promotion.
    /// </summary>
    [JobDisplayName("Promote {0} (attempt {1})")]
    public async Task PromoteAsync(string candidateId, int attempt, PerformContext? context, CancellationToken ct)
    {
        var stopping = lifetime.ApplicationStopping;
        try
        {
            await RunAttemptAsync(candidateId, attempt, context?.BackgroundJob.Id, ct, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Hangfire puts a job back in the queue only once its own token says the server stops, which comes a
            // moment after the app's: wait for it, or the job would be marked failed by a routine restart.
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
            }
            throw;
        }
    }

    private async Task RunAttemptAsync(string candidateId, int attempt, string? jobId, CancellationToken ct, CancellationToken stopping)
    {
        if (await promotion.AttemptAsync(candidateId, attempt, stopping) is not { } found)
        {
            logger.LogWarning("Promotion {Attempt} of {Candidate} does not exist (the candidate was deleted); nothing to run", attempt, candidateId);
            return;
        }
        if (found.Status is PromotionStatus.Pending or PromotionStatus.Running)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
            using var held = await JobLock.TakeAsync(storage, $"promotion:{found.Stream}", waiting.Token);
            // Read again under the lock: another run of this job may have finished the attempt meanwhile.
            found = await promotion.AttemptAsync(candidateId, attempt, stopping) ?? found;
            if (found.Status is PromotionStatus.Pending or PromotionStatus.Running)
            {
                var attemptId = found.Id;
                using var cancel = ct.Register(() =>
                {
                    if (!stopping.IsCancellationRequested && queue.IsDeleted(jobId))
                    {
                        runner.Interrupt(attemptId, DashboardActor);
                    }
                });
                await runner.RunAsync(attemptId, stopping);
                found = await promotion.AttemptAsync(candidateId, attempt, CancellationToken.None) ?? found;
            }
        }
        if (found.Status is PromotionStatus.Failed or PromotionStatus.Cancelled)
        {
            throw new PromotionFailedException($"Promotion {attempt} of {candidateId} {found.Status.ToString().ToLowerInvariant()}: {found.Error}");
        }
    }

    /// <summary>Who cancelled a promotion whose job was deleted on the dashboard.</summary>
    public const string DashboardActor = "the job dashboard";

    /// <summary>
    /// The <c>promotion</c> recurring job, also run at start-up: enqueues a job for every unfinished attempt whose job is
    /// gone (a crash between recording the attempt and enqueueing it; a job deleted before it ran cancels the attempt),
    /// promotes approved candidates of <c>promote: auto</c> streams that a restart kept from being noticed, and opens
    /// the issues a forge outage left unopened.
    /// </summary>
    [JobDisplayName("Resume unfinished promotions and promote approved candidates (promote: auto)")]
    public async Task SweepAsync(CancellationToken ct)
    {
        using var held = JobLock.TryTake(storage, "promotion-sweep", TimeSpan.Zero);
        if (held is null)
        {
            return;
        }
        var now = clock.GetUtcNow();
        foreach (var unfinished in await promotion.UnfinishedAsync(ct))
        {
            // Just recorded: its job is being enqueued right now.
            if (unfinished.JobId is null && now - unfinished.Created < RecordingGrace)
            {
                continue;
            }
            var state = queue.StateOf(unfinished.JobId);
            if (PromotionQueue.WillRun(state))
            {
                continue;
            }
            if (state == DeletedState.StateName)
            {
                await promotion.RequestCancelAsync(unfinished.Id, DashboardActor, ct);
            }
            logger.LogInformation("Promotion {Attempt} of {Candidate} has no job waiting or running; enqueueing it", unfinished.Number, unfinished.Candidate);
            await queue.EnqueueAsync(unfinished.Id, unfinished.Candidate, unfinished.Number, ct);
        }
        foreach (var candidate in await promotion.ApprovedAsync(ct))
        {
            if (await promotion.AutoPromoteAsync(candidate, ct))
            {
                logger.LogInformation("The sweep promoted the approved candidate {Candidate} (promote: auto)", candidate);
            }
        }
        foreach (var (attemptId, stream) in await runner.MissingIssuesAsync(ct))
        {
            // Not while a job of the stream runs: it may be opening this very issue.
            using var running = JobLock.TryTake(storage, $"promotion:{stream}", TimeSpan.Zero);
            if (running is not null)
            {
                await runner.OpenMissingIssueAsync(attemptId, ct);
            }
        }
    }

    private static readonly TimeSpan RecordingGrace = TimeSpan.FromSeconds(30);

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

using ComposeGate.Data;
using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Forge;
using ComposeGate.Web.Live;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// Enqueues promotion work: the job of an attempt (with the merge of the candidate's merge request as its continuation,
/// run only when the promotion succeeded), and the <c>promote: auto</c> check when a decision or status changes.
/// </summary>
public sealed class PromotionQueue(
    IBackgroundJobClient jobs,
    JobStorage storage,
    IDbContextFactory<AppDbContext> dbFactory,
    ChangeFeed feed,
    IOptions<ForgeOptions> forge,
    ILogger<PromotionQueue> logger) : IJobTrigger
{
    private static readonly string[] Alive = [EnqueuedState.StateName, ProcessingState.StateName, ScheduledState.StateName, AwaitingState.StateName];

    private readonly PendingJobs autoChecks = new();

    public void Start() => feed.Changed += change =>
    {
        // Only a new decision or status can make a candidate approved.
        if (change.Kind is "decision" or "status")
        {
            autoChecks.Enqueue(change.CandidateId, () => jobs.Enqueue<PromotionJobs>(j => j.AutoPromoteAsync(change.CandidateId, CancellationToken.None)), logger);
        }
    };

    public void AutoStarted(string candidateId) => autoChecks.Started(candidateId);

    /// <summary>Enqueues the job of attempt <paramref name="number"/> and records its id on the attempt.</summary>
    public async Task EnqueueAsync(long attemptId, string candidateId, int number, CancellationToken ct)
    {
        var id = jobs.Enqueue<PromotionJobs>(j => j.PromoteAsync(candidateId, number, null, CancellationToken.None));
        if (forge.Value.Enabled)
        {
            jobs.ContinueJobWith<MergeRequestJobs>(id, j => j.MergeAsync(candidateId, CancellationToken.None), new EnqueuedState(), JobContinuationOptions.OnlyOnSucceededState);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.PromotionAttempts.Where(a => a.Id == attemptId).ExecuteUpdateAsync(a => a.SetProperty(x => x.JobId, id), ct);
    }

    /// <summary>Whether someone deleted the job (on the dashboard).</summary>
    public bool IsDeleted(string? jobId) => StateOf(jobId) == DeletedState.StateName;

    /// <summary>Whether the job is still going to run or running.</summary>
    public bool IsAlive(string? jobId) => WillRun(StateOf(jobId));

    /// <summary>Whether a job in <paramref name="state"/> is still going to run or running.</summary>
    public static bool WillRun(string? state) => state is not null && Alive.Contains(state);

    /// <summary>The job's state in Hangfire's storage, or null for no job (or one the storage no longer knows).</summary>
    public string? StateOf(string? jobId)
    {
        if (jobId is null)
        {
            return null;
        }
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}

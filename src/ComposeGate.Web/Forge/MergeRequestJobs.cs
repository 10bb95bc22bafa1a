using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Live;
using Hangfire;

namespace ComposeGate.Web.Forge;

/// <summary>
/// Merge requests as Hangfire jobs: open or update a candidate's (enqueued when it changes), merge it (the continuation
/// of a successful promotion), and the reconciliation (<c>forge-reconcile</c>) that enqueues every candidate whose merge
/// request may be missing or stale. One job per candidate at a time (a distributed lock; a run that finds it held comes
/// back 2 s later rather than hold a worker); a fault is retried by Hangfire 2, 4, 8 and 16 s later, and after that the
/// next reconciliation tries again.
/// </summary>
public sealed class MergeRequestJobs(ForgeSync sync, MergeRequestQueue queue, JobStorage storage)
{
    public const string ReconcileId = "forge-reconcile";

    [JobDisplayName("Open, update or close the MR for {0}")]
    [AutomaticRetry(Attempts = 4, DelaysInSeconds = [2, 4, 8, 16])]
    public Task SyncAsync(string candidateId, CancellationToken ct) => RunAsync(candidateId, ct);

    /// <summary>A promoted candidate's merge request is merged (the sync merges what is promoted; run again, it finds it merged).</summary>
    [JobDisplayName("Merge the MR for {0}")]
    [AutomaticRetry(Attempts = 4, DelaysInSeconds = [2, 4, 8, 16])]
    public Task MergeAsync(string candidateId, CancellationToken ct) => RunAsync(candidateId, ct);

    private async Task RunAsync(string candidateId, CancellationToken ct)
    {
        // One job per candidate at a time, and never a worker waiting: a run that finds another going comes back later.
        using var held = JobLock.TryTake(storage, $"mr:{candidateId}", TimeSpan.Zero);
        if (held is null)
        {
            // This run's own key is released first, or the run it asks for would be folded into this one.
            queue.Started(candidateId);
            queue.Later(candidateId);
            return;
        }
        queue.Started(candidateId);
        await sync.SyncAsync(candidateId, ct);
    }

    [JobDisplayName("Reconcile merge requests with candidates")]
    public async Task ReconcileAsync(CancellationToken ct)
    {
        foreach (var candidateId in await sync.ReconcileAsync(ct))
        {
            queue.Enqueue(candidateId);
        }
    }
}

/// <summary>
/// Enqueues a candidate's merge request job when the candidate changes; one waiting job per candidate. A new result
/// that leaves the decision as it was changes at most the note's details, so under a bot's burst of results the
/// update is scheduled <see cref="FactsDelay"/> later, once, instead of re-evaluating the decision after every batch.
/// </summary>
public sealed class MergeRequestQueue(ChangeFeed feed, IBackgroundJobClient jobs, ILogger<MergeRequestQueue> logger) : IJobTrigger
{
    public static readonly TimeSpan FactsDelay = TimeSpan.FromSeconds(2);

    private readonly PendingJobs now = new();
    private readonly PendingJobs later = new();

    public void Start() => feed.Changed += change =>
    {
        switch (change.Kind)
        {
            // A step's progress changes nothing on the merge request; the promotion's end changes the status.
            case "promotion":
                break;
            case "facts":
                Later(change.CandidateId);
                break;
            default:
                Enqueue(change.CandidateId);
                break;
        }
    };

    public void Enqueue(string candidateId) =>
        now.Enqueue(candidateId, () => jobs.Enqueue<MergeRequestJobs>(j => j.SyncAsync(candidateId, CancellationToken.None)), logger);

    /// <summary>Runs the candidate's job <see cref="FactsDelay"/> from now (one waiting).</summary>
    public void Later(string candidateId) =>
        later.Enqueue(candidateId, () => jobs.Schedule<MergeRequestJobs>(j => j.SyncAsync(candidateId, CancellationToken.None), FactsDelay), logger);

    /// <summary>A run covers every change made before it started.</summary>
    public void Started(string candidateId)
    {
        now.Started(candidateId);
        later.Started(candidateId);
    }
}

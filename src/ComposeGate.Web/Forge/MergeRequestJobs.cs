using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Live;
using Hangfire;

namespace ComposeGate.Web.Forge;

/// <summary>
/// Merge requests as Hangfire jobs: open or update a candidate's (enqueued when it changes), merge it (the continuation
/// of a successful promotion), and the reconciliation (<c>forge-reconcile</c>) that enqueues every candidate whose merge
/// request may be missing or stale. One job per candidate at a time (a distributed lock); a fault is retried by Hangfire
/// 2, 4, 8 and 16 s later, and after that the next reconciliation tries again.
/// </summary>
public sealed class MergeRequestJobs(ForgeSync sync, MergeRequestQueue queue, JobStorage storage)
{
    public const string ReconcileId = "forge-reconcile";

    [JobDisplayName("Open or update the MR for {0}")]
    [AutomaticRetry(Attempts = 4, DelaysInSeconds = [2, 4, 8, 16])]
    public async Task SyncAsync(string candidateId, CancellationToken ct)
    {
        queue.Started(candidateId);
        using var held = await JobLock.TakeAsync(storage, $"mr:{candidateId}", ct);
        await sync.SyncAsync(candidateId, ct);
    }

    /// <summary>A promoted candidate's merge request is merged (the sync merges what is promoted; run again, it finds it merged).</summary>
    [JobDisplayName("Merge the MR for {0}")]
    [AutomaticRetry(Attempts = 4, DelaysInSeconds = [2, 4, 8, 16])]
    public async Task MergeAsync(string candidateId, CancellationToken ct)
    {
        using var held = await JobLock.TakeAsync(storage, $"mr:{candidateId}", ct);
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

/// <summary>Enqueues a candidate's merge request job when the candidate changes; one waiting job per candidate.</summary>
public sealed class MergeRequestQueue(ChangeFeed feed, IBackgroundJobClient jobs, ILogger<MergeRequestQueue> logger) : IJobTrigger
{
    private readonly PendingJobs pending = new();

    public void Start() => feed.Changed += change =>
    {
        // A step's progress changes nothing on the merge request; the promotion's end changes the status.
        if (change.Kind != "promotion")
        {
            Enqueue(change.CandidateId);
        }
    };

    public void Enqueue(string candidateId) =>
        pending.Enqueue(candidateId, () => jobs.Enqueue<MergeRequestJobs>(j => j.SyncAsync(candidateId, CancellationToken.None)), logger);

    public void Started(string candidateId) => pending.Started(candidateId);
}

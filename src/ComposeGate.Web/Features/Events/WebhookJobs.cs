using ComposeGate.Web.Features.Jobs;
using Hangfire;

namespace ComposeGate.Web.Features.Events;

/// <summary>
/// Webhook delivery as a Hangfire job: enqueued when deliveries are stored, scheduled again for the next delivery's
/// retry time, and recurring every minute (<c>webhooks</c>) to catch up after a restart. Deliveries keep their own
/// tries and backoff in our table (the job itself is not retried), so a job run twice sends nothing twice that was
/// accepted.
/// </summary>
public sealed class WebhookJobs(WebhookSender sender, WebhookQueue queue, JobStorage storage, TimeProvider clock)
{
    public const string Id = "webhooks";

    [JobDisplayName("Deliver due webhooks")]
    public async Task DeliverAsync(CancellationToken ct)
    {
        // One run at a time, and never a worker waiting for it: a run that finds another one going (a slow receiver)
        // comes back a moment later instead.
        using var held = JobLock.TryTake(storage, "webhooks", TimeSpan.Zero);
        if (held is null)
        {
            queue.ScheduleAt(clock.GetUtcNow() + WebhookQueue.BusyRetry);
            return;
        }
        queue.Started();
        while (await sender.SendDueAsync(ct) == WebhookSender.Batch)
        {
        }
        if (await sender.NextDueAsync(ct) is { } next)
        {
            queue.ScheduleAt(next);
        }
    }
}

/// <summary>Enqueues the delivery job when deliveries are stored (one waiting at a time), and schedules it for the next retry.</summary>
public sealed class WebhookQueue(OutboxSignal signal, IBackgroundJobClient jobs, TimeProvider clock, ILogger<WebhookQueue> logger) : IJobTrigger
{
    public static readonly TimeSpan BusyRetry = TimeSpan.FromSeconds(2);
    private const string Key = "webhooks";
    private readonly PendingJobs pending = new();
    private readonly Lock gate = new();
    private DateTimeOffset scheduledFor = DateTimeOffset.MinValue;

    public void Start() => signal.WebhooksAdded += Enqueue;

    public void Enqueue() => pending.Enqueue(Key, () => jobs.Enqueue<WebhookJobs>(j => j.DeliverAsync(CancellationToken.None)), logger);

    public void Started() => pending.Started(Key);

    /// <summary>Schedules a run at <paramref name="at"/> unless one is scheduled already between now and then.</summary>
    public void ScheduleAt(DateTimeOffset at)
    {
        var now = clock.GetUtcNow();
        if (at <= now)
        {
            Enqueue();
            return;
        }
        lock (gate)
        {
            if (scheduledFor > now && scheduledFor <= at)
            {
                return;
            }
            scheduledFor = at;
        }
        jobs.Schedule<WebhookJobs>(j => j.DeliverAsync(CancellationToken.None), at);
    }
}

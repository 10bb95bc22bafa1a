using ComposeGate.Web.Features.Events;
using ComposeGate.Web.Features.Jobs;
using Hangfire;

namespace ComposeGate.Web.Bus;

/// <summary>
/// Publishing the outbox as a Hangfire job: enqueued when events are stored and when the link to the broker comes
/// (back) up, and recurring every minute (<c>bus-outbox</c>) to catch up. The outbox rows are the record, so a run
/// that Hangfire repeats publishes only what the broker has not confirmed.
/// </summary>
public sealed class BusJobs(BusPublisher publisher, BusQueue queue)
{
    public const string Id = "bus-outbox";

    [JobDisplayName("Publish events to the message bus")]
    public async Task PublishAsync(CancellationToken ct)
    {
        // One run at a time, and never a worker waiting for it: a run that finds another going comes back later.
        if (await publisher.PublishOutboxAsync(queue.Started, ct) is null)
        {
            // This run's own key is released first, or the run it asks for would be folded into this one.
            queue.Started();
            queue.Later();
        }
    }
}

/// <summary>Enqueues the publishing job when events are stored or the link is up; one waiting at a time.</summary>
public sealed class BusQueue(OutboxSignal signal, IBackgroundJobClient jobs, ILogger<BusQueue> logger) : IJobTrigger
{
    private const string Key = "bus-outbox";
    private readonly PendingJobs pending = new();

    public void Start() => signal.BusMessagesAdded += Enqueue;

    public void Enqueue() => pending.Enqueue(Key, () => jobs.Enqueue<BusJobs>(j => j.PublishAsync(CancellationToken.None)), logger);

    public void Started()
    {
        pending.Started(Key);
        pending.Started(LaterKey);
    }

    /// <summary>Runs the job again in a moment (the publisher was busy with an earlier run).</summary>
    public void Later() =>
        pending.Enqueue(LaterKey, () => jobs.Schedule<BusJobs>(j => j.PublishAsync(CancellationToken.None), TimeSpan.FromSeconds(2)), logger);

    private const string LaterKey = "bus-outbox-later";
}

using ComposeGate.Web.Features.Jobs;
using Hangfire;

namespace ComposeGate.Web.Features.Sources;

/// <summary>The recurring check of one stream's source (<c>poll-&lt;stream&gt;</c>). One at a time per stream: a run that finds the last one still going is skipped.</summary>
public sealed class SourcePollJob(SourcePoller poller, JobStorage storage, ILogger<SourcePollJob> logger)
{
    public static string Id(string stream) => $"poll-{stream}";

    [JobDisplayName("Check the source of {0}")]
    public async Task RunAsync(string stream, CancellationToken ct)
    {
        using var held = JobLock.TryTake(storage, $"poll:{stream}", TimeSpan.Zero);
        if (held is null)
        {
            logger.LogInformation("The source of {Stream} is still being checked; this run is skipped", stream);
            return;
        }
        await poller.PollAsync(stream, ct);
    }
}

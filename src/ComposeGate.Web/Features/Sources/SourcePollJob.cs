using Quartz;

namespace ComposeGate.Web.Features.Sources;

/// <summary>The scheduled check of one stream's source. One at a time per stream.</summary>
[DisallowConcurrentExecution]
public sealed class SourcePollJob(SourcePoller poller) : IJob
{
    public const string StreamKey = "stream";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var stream = context.MergedJobDataMap.GetString(StreamKey)!;
        await poller.PollAsync(stream, ct);
    }
}

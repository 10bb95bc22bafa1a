using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ComposeGate.Web.Live;

/// <summary>
/// Candidate ids waiting for one background worker; an id already waiting is not queued again, so a burst of
/// changes to one candidate becomes one piece of work. It leaves the waiting set as the worker takes it, so a
/// change arriving while the work runs queues it once more.
/// </summary>
public sealed class CandidateQueue
{
    private readonly Channel<string> channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> waiting = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public void Enqueue(string candidateId)
    {
        lock (gate)
        {
            if (!waiting.Add(candidateId))
            {
                return;
            }
        }
        channel.Writer.TryWrite(candidateId);
    }

    public async IAsyncEnumerable<string> ReadAllAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var candidateId in channel.Reader.ReadAllAsync(ct))
        {
            lock (gate)
            {
                waiting.Remove(candidateId);
            }
            yield return candidateId;
        }
    }
}

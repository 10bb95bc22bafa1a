using System.Threading.Channels;
using ComposeGate.Data;
using ComposeGate.Gating;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Results;

/// <summary>
/// Group commit for results: bots post thousands a second, and SQLite commits one transaction at a time, so
/// results that arrive together are inserted together, in one transaction. Each request still waits until its
/// own result is committed, so a 201 always means stored.
/// </summary>
public sealed class ResultWriter(IDbContextFactory<AppDbContext> dbFactory, Decisions.DecisionService decisions, ILogger<ResultWriter> logger) : BackgroundService
{
    public const int MaxBatch = 500;

    private readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public async Task WriteAsync(Result result, CancellationToken ct)
    {
        var pending = new Pending(result, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await queue.Writer.WriteAsync(pending, ct);
        await pending.Committed.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }
                await CommitAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        queue.Writer.TryComplete();
        foreach (var waiting in batch.Concat(Drain()))
        {
            waiting.Committed.TrySetCanceled(stoppingToken);
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.Results.AddRange(batch.Select(p => p.Result));
            await db.SaveChangesAsync(ct);
            decisions.ResultsCommitted(batch.Select(p => p.Result));
            batch.ForEach(p => p.Committed.TrySetResult());
        }
        catch (Exception e) when (batch.Count > 1 && e is not OperationCanceledException)
        {
            // One bad row (its candidate deleted meanwhile) must not fail the others: retry one by one.
            logger.LogWarning(e, "A batch of {Count} results failed; storing them one by one", batch.Count);
            foreach (var pending in batch)
            {
                await CommitAsync([pending], ct);
            }
        }
        catch (Exception e)
        {
            batch.ForEach(p => p.Committed.TrySetException(e));
        }
    }

    private IEnumerable<Pending> Drain()
    {
        while (queue.Reader.TryRead(out var pending))
        {
            yield return pending;
        }
    }

    private sealed record Pending(Result Result, TaskCompletionSource Committed);
}

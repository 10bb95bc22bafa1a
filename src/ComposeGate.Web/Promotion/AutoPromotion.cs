using ComposeGate.Web.Features.Promotion;
using ComposeGate.Web.Live;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// <c>promote: auto</c>: when a candidate's decision changes, an approved candidate of a stream whose policy says
/// auto is promoted within moments. Notifications are folded per candidate; the promotion job's sweep catches any
/// that a restart swallowed.
/// </summary>
public sealed class AutoPromotion(ChangeFeed feed, PromotionService promotion, ILogger<AutoPromotion> logger) : BackgroundService
{
    private readonly CandidateQueue queue = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        feed.Changed += OnChanged;
        try
        {
            await foreach (var candidate in queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await promotion.AutoPromoteAsync(candidate, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Promoting {Candidate} automatically failed; the promotion sweep tries again", candidate);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            feed.Changed -= OnChanged;
        }
    }

    private void OnChanged(CandidateChange change)
    {
        // Only a new decision or status can make a candidate approved.
        if (change.Kind is not ("decision" or "status"))
        {
            return;
        }
        queue.Enqueue(change.CandidateId);
    }
}

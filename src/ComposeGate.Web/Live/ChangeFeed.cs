namespace ComposeGate.Web.Live;

/// <summary>What changed: a candidate's results, votes, waivers, checklists, decision or status.</summary>
public sealed record CandidateChange(string CandidateId, string Stream, string Kind);

/// <summary>
/// In-process notifications to open pages. Circuits subscribe while a page is open; publishers are the
/// feature services after they saved. Nothing is persisted here: a page that was closed re-reads the database.
/// </summary>
public sealed class ChangeFeed
{
    public event Action<CandidateChange>? Changed;

    public void Publish(CandidateChange change) => Changed?.Invoke(change);
}

/// <summary>
/// A page's subscription, throttled: a burst of bot reports becomes one refresh at most every
/// <see cref="Interval"/>, so a busy candidate never floods a browser.
/// </summary>
public sealed class LiveSubscription : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);

    private readonly ChangeFeed feed;
    private readonly Func<CandidateChange, bool> filter;
    private readonly Func<Task> refresh;
    private readonly Lock gate = new();
    private bool scheduled;
    private bool disposed;

    public LiveSubscription(ChangeFeed feed, Func<CandidateChange, bool> filter, Func<Task> refresh)
    {
        this.feed = feed;
        this.filter = filter;
        this.refresh = refresh;
        feed.Changed += OnChanged;
    }

    private void OnChanged(CandidateChange change)
    {
        if (!filter(change))
        {
            return;
        }
        lock (gate)
        {
            if (scheduled || disposed)
            {
                return;
            }
            scheduled = true;
        }
        _ = Task.Delay(Interval).ContinueWith(async _ =>
        {
            lock (gate)
            {
                scheduled = false;
                if (disposed)
                {
                    return;
                }
            }
            await refresh();
        }, TaskScheduler.Default).Unwrap();
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }
        feed.Changed -= OnChanged;
    }
}

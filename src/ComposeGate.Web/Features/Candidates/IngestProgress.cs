using System.Collections.Concurrent;

namespace ComposeGate.Web.Features.Candidates;

/// <summary>
/// Ingests in progress, for the pages that show them (a 60,000-RPM compose takes a moment). In memory on
/// purpose: an ingest interrupted by a restart stored nothing, so there is nothing to resume.
/// </summary>
public sealed class IngestProgress(TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, IngestState> active = new();

    /// <summary>Raised after any change; handlers must be quick (pages re-render on it).</summary>
    public event Action? Changed;

    public IReadOnlyList<IngestState> Active => active.Values.OrderBy(s => s.StartedAt).ToList();

    public Guid Start(string stream, string source)
    {
        var id = Guid.NewGuid();
        active[id] = new IngestState(id, stream, source, "reading metadata", 0, 0, clock.GetUtcNow());
        Changed?.Invoke();
        return id;
    }

    public void Report(Guid id, string phase, int done, int total, string? candidateId = null)
    {
        if (active.TryGetValue(id, out var state))
        {
            active[id] = state with { Phase = phase, Done = done, Total = total, CandidateId = candidateId ?? state.CandidateId };
            Changed?.Invoke();
        }
    }

    public void Finish(Guid id)
    {
        if (active.TryRemove(id, out _))
        {
            Changed?.Invoke();
        }
    }
}

public sealed record IngestState(Guid Id, string Stream, string Source, string Phase, int Done, int Total, DateTimeOffset StartedAt)
{
    public string? CandidateId { get; init; }

    public double Percent => Total == 0 ? 0 : Math.Round(100.0 * Done / Total, 1);
}

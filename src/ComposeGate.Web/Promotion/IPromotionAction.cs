using ComposeGate.Candidates;
using ComposeGate.Streams;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// One kind of promotion action. Running it again after it completed (a resumed promotion, a retry) must not
/// redo its effect: it finds the effect in place and says so.
/// </summary>
public interface IPromotionAction
{
    /// <summary>The action's name in configuration and on the pages: Publish, Retag, Webhook, Command.</summary>
    string Kind { get; }

    Task<string> RunAsync(PromotionStepContext step, CancellationToken ct);
}

/// <summary>What a step knows: the candidate's facts, its place in the attempt, its try, and its settings (JSON).</summary>
public sealed record PromotionStepContext(
    CandidateFacts Candidate,
    int Attempt,
    int Position,
    int Try,
    string Settings);

/// <summary>The candidate as the actions see it: a compose (with its source directory) or an image digest.</summary>
public sealed record CandidateFacts(
    string Id,
    string Stream,
    StreamKind Kind,
    string? SourceUrl,
    string? Image,
    string? Tag,
    string? Digest)
{
    public static CandidateFacts Of(Candidate candidate) => new(candidate.Id, candidate.Stream.Name,
        candidate.Stream.Kind,
        candidate.SourceUrl, candidate.Image, candidate.Tag, candidate.Digest);
}

/// <summary>
/// A step that failed. <see cref="Transient"/> faults (a timeout, a 503) are retried with backoff; others fail
/// the promotion at once. <see cref="Output"/> keeps what the step printed before it failed.
/// </summary>
public sealed class PromotionStepException(string message, bool transient, string? output = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Transient { get; } = transient;
    public string? Output { get; } = output;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

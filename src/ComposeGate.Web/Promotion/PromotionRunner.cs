using System.Collections.Concurrent;
using System.Text;
using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Data;
using ComposeGate.Forge;
using ComposeGate.Promotion;
using ComposeGate.Web.Access;
using ComposeGate.Web.Components.Markdown;
using ComposeGate.Web.Features.Events;
using ComposeGate.Web.Forge;
using ComposeGate.Web.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// Runs a promotion attempt to its end (called by its Hangfire job, <see cref="PromotionJobs"/>) from what the database says: an attempt left pending or
/// running by a restart or a crash is picked up where it stopped (steps already succeeded are not run again; the
/// step that was running is run again, and every action finds its own finished effect). A step's transient faults
/// are retried with backoff; a lasting failure fails the candidate, keeps what was published before, opens an
/// issue on the forge and announces it. When every step succeeded the candidate is promoted, older candidates
/// still being gated are superseded, and the merge request is merged by the forge sync.
/// </summary>
public sealed class PromotionRunner(
    IDbContextFactory<AppDbContext> dbFactory,
    IEnumerable<IPromotionAction> actions,
    IForge forge,
    IOptions<ForgeOptions> forgeOptions,
    OutgoingEvents events,
    ChangeFeed feed,
    IOptionsMonitor<PromotionOptions> options,
    TimeProvider clock,
    ILogger<PromotionRunner> logger)
{
    /// <summary>Lines of a failed step's output quoted in the issue.</summary>
    public const int IssueLogLines = 40;

    private readonly Dictionary<string, IPromotionAction> byKind = actions.ToDictionary(a => a.Kind, StringComparer.Ordinal);

    // The attempt being run, so a release engineer's cancel can interrupt its running step.
    private readonly ConcurrentDictionary<long, CancellationTokenSource> running = new();
    private readonly ConcurrentDictionary<long, string> interruptedBy = new();

    /// <summary>Interrupts the attempt's running step if it runs here; true when it did.</summary>
    public bool Interrupt(long attemptId, string? by = null)
    {
        if (running.TryGetValue(attemptId, out var cancel))
        {
            if (by is not null)
            {
                interruptedBy.TryAdd(attemptId, by);
            }
            cancel.Cancel();
            return true;
        }
        return false;
    }

    /// <summary>
    /// Runs one attempt to its end from what the database says; <paramref name="ct"/> is the app stopping, which leaves
    /// the running step running in the database for the next run of the job.
    /// </summary>
    public async Task RunAsync(long attemptId, CancellationToken ct)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        running[attemptId] = cancel;
        try
        {
            await RunStepsAsync(attemptId, cancel.Token, ct);
        }
        finally
        {
            running.TryRemove(attemptId, out _);
        }
    }

    private async Task RunStepsAsync(long attemptId, CancellationToken stepToken, CancellationToken shutdown)
    {
        await using var db = await dbFactory.CreateDbContextAsync(shutdown);
        var attempt = await db.PromotionAttempts.Include(a => a.Steps).SingleAsync(a => a.Id == attemptId, shutdown);
        var candidate = await db.Candidates.Include(c => c.Stream).SingleAsync(c => c.Id == attempt.CandidateId, shutdown);
        var facts = CandidateFacts.Of(candidate);
        if (attempt.Status is not (PromotionStatus.Pending or PromotionStatus.Running))
        {
            // Finished by an earlier run: nothing is done twice.
            return;
        }
        if (attempt.Status == PromotionStatus.Pending)
        {
            attempt.Status = PromotionStatus.Running;
            attempt.StartedAt = clock.GetUtcNow();
            await SaveAsync(db, candidate, shutdown);
        }
        else
        {
            logger.LogInformation("Resuming promotion {Attempt} of {Candidate}", attempt.Number, candidate.Id);
        }

        foreach (var step in attempt.Steps.OrderBy(s => s.Position).Where(s => s.Status != PromotionStatus.Succeeded))
        {
            if (attempt.CancelRequestedBy is not null || stepToken.IsCancellationRequested)
            {
                await CancelledAsync(db, attempt, candidate, step, shutdown);
                return;
            }
            if (!byKind.TryGetValue(step.Action, out var action))
            {
                await FailAsync(db, attempt, candidate, step, $"This version does not know the action '{step.Action}'.", null, shutdown);
                return;
            }
            while (true)
            {
                step.Status = PromotionStatus.Running;
                step.Tries++;
                step.StartedAt ??= clock.GetUtcNow();
                step.FinishedAt = null;
                await SaveAsync(db, candidate, shutdown);
                try
                {
                    var output = await action.RunAsync(new PromotionStepContext(facts, attempt.Number, step.Position, step.Tries, step.Settings ?? "{}"), stepToken);
                    step.Status = PromotionStatus.Succeeded;
                    step.Output = Bound(output);
                    step.Error = null;
                    step.FinishedAt = clock.GetUtcNow();
                    await SaveAsync(db, candidate, shutdown);
                    logger.LogInformation("Promotion {Attempt} of {Candidate}: step {Position} ({Description}) succeeded", attempt.Number, candidate.Id, step.Position, step.Description);
                    break;
                }
                catch (PromotionStepException e) when (e.Transient && step.Tries < options.CurrentValue.Tries && !stepToken.IsCancellationRequested)
                {
                    var pause = e.RetryAfter ?? TimeSpan.FromSeconds(options.CurrentValue.FirstRetrySeconds * Math.Pow(2, step.Tries - 1));
                    step.Error = $"{e.Message} (try {step.Tries} of {options.CurrentValue.Tries}; next in {pause.TotalSeconds:0.#} s)";
                    step.Output = Bound(e.Output);
                    await SaveAsync(db, candidate, shutdown);
                    logger.LogWarning("Promotion {Attempt} of {Candidate}: step {Position} failed, retrying in {Pause}: {Error}", attempt.Number, candidate.Id, step.Position, pause, e.Message);
                    await Task.Delay(pause, clock, stepToken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                }
                catch (PromotionStepException e)
                {
                    await FailAsync(db, attempt, candidate, step, e.Message, e.Output, shutdown);
                    return;
                }
                catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
                {
                    // Stopping: the step stays running in the database and is run again after the restart.
                    throw;
                }
                catch (OperationCanceledException)
                {
                    await CancelledAsync(db, attempt, candidate, step, shutdown);
                    return;
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Promotion {Attempt} of {Candidate}: step {Position} crashed", attempt.Number, candidate.Id, step.Position);
                    await FailAsync(db, attempt, candidate, step, $"{e.GetType().Name}: {e.Message}", null, shutdown);
                    return;
                }
            }
        }
        await CompleteAsync(db, attempt, candidate, shutdown);
    }

    private async Task CompleteAsync(AppDbContext db, PromotionAttempt attempt, Candidate candidate, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        attempt.Status = PromotionStatus.Succeeded;
        attempt.FinishedAt = now;
        candidate.Status = CandidateStatus.Promoted;
        candidate.StatusChangedAt = now;
        candidate.PromotedAt = now;
        candidate.StatusReason = null;
        var took = now - (attempt.StartedAt ?? attempt.CreatedAt);
        db.Record(now, attempt.RequestedBy, "candidate.promoted",
            $"Promoted {candidate.Id} ({attempt.Steps.Count} step{(attempt.Steps.Count == 1 ? "" : "s")}, {took.TotalSeconds:0.##} s)" +
            (attempt.Trigger == PromotionTrigger.Auto ? " — policy: promote auto" : ""),
            candidateId: candidate.Id, streamId: candidate.StreamId, data: new { attempt = attempt.Number, steps = attempt.Steps.Count });
        events.Record(db, candidate.StreamId, candidate.Stream.Name, OutgoingEvents.CandidatePromoted, candidate.Id,
            new { attempt = attempt.Number, by = attempt.RequestedBy, candidate.Image, candidate.Digest, source = candidate.SourceUrl });

        // Older candidates still being gated (or failed) will never ship now: set them aside, saying why.
        var superseded = await db.Candidates.Where(c => c.StreamId == candidate.StreamId && c.Id != candidate.Id
                && (CandidateStatuses.Open.Contains(c.Status) || c.Status == CandidateStatus.Failed) && c.CreatedAt < candidate.CreatedAt).ToListAsync(ct);
        foreach (var older in superseded)
        {
            older.Status = CandidateStatus.Superseded;
            older.StatusChangedAt = now;
            older.StatusReason = $"superseded by {candidate.Id}, promoted first";
            db.Record(now, Actor.System, "candidate.superseded", $"Superseded by {candidate.Id}", candidateId: older.Id, streamId: older.StreamId);
        }
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Promoted {Candidate} (attempt {Attempt}, {Seconds:0.##} s); superseded {Count} older candidates",
            candidate.Id, attempt.Number, took.TotalSeconds, superseded.Count);
        foreach (var changed in superseded.Select(c => c.Id).Prepend(candidate.Id))
        {
            feed.Publish(new CandidateChange(changed, candidate.Stream.Name, "status"));
        }
    }

    private async Task FailAsync(AppDbContext db, PromotionAttempt attempt, Candidate candidate, PromotionStep step, string error, string? output, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        step.Status = PromotionStatus.Failed;
        step.Error = error;
        step.Output = Bound(output) ?? step.Output;
        step.FinishedAt = now;
        attempt.Status = PromotionStatus.Failed;
        attempt.FinishedAt = now;
        attempt.Error = $"Step {step.Position} ({step.Description}): {error}";
        candidate.Status = CandidateStatus.Failed;
        candidate.StatusChangedAt = now;
        candidate.StatusReason = $"Promotion failed at step {step.Position} ({step.Description}): {error}";
        db.Record(now, Actor.System, "candidate.failed", candidate.StatusReason, candidateId: candidate.Id, streamId: candidate.StreamId,
            data: new { attempt = attempt.Number, step = step.Position, action = step.Action, error });
        events.Record(db, candidate.StreamId, candidate.Stream.Name, OutgoingEvents.CandidateFailed, candidate.Id,
            new { attempt = attempt.Number, step = step.Position, action = step.Action, description = step.Description, error });
        await SaveAsync(db, candidate, ct);
        logger.LogWarning("Promotion {Attempt} of {Candidate} failed at step {Position} ({Description}): {Error}",
            attempt.Number, candidate.Id, step.Position, step.Description, error);
        await OpenIssueAsync(db, attempt, candidate, ct);
    }

    private async Task CancelledAsync(AppDbContext db, PromotionAttempt attempt, Candidate candidate, PromotionStep step, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var who = attempt.CancelRequestedBy ?? (interruptedBy.TryRemove(attempt.Id, out var by) ? by : Actor.System);
        attempt.CancelRequestedBy = who;
        if (step.Status == PromotionStatus.Running)
        {
            step.Status = PromotionStatus.Cancelled;
            step.Error = $"Interrupted: cancelled by {who}.";
            step.FinishedAt = now;
        }
        foreach (var later in attempt.Steps.Where(s => s.Status == PromotionStatus.Pending))
        {
            later.Status = PromotionStatus.Cancelled;
        }
        attempt.Status = PromotionStatus.Cancelled;
        attempt.FinishedAt = now;
        attempt.Error = $"Cancelled by {who} before step {step.Position} finished.";
        // Failed, not approved: a promote: auto policy would otherwise start it again at once.
        candidate.Status = CandidateStatus.Failed;
        candidate.StatusChangedAt = now;
        candidate.StatusReason = $"Promotion cancelled by {who} at step {step.Position} ({step.Description}); promote again to retry.";
        db.Record(now, who, "promotion.cancelled", candidate.StatusReason, candidateId: candidate.Id, streamId: candidate.StreamId,
            data: new { attempt = attempt.Number, step = step.Position });
        await SaveAsync(db, candidate, ct);
    }

    /// <summary>Failed attempts whose issue is not opened yet (the forge was down when they failed), with their stream.</summary>
    public async Task<List<(long Attempt, string Stream)>> MissingIssuesAsync(CancellationToken ct)
    {
        if (!forgeOptions.Value.Enabled)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var missing = await db.PromotionAttempts.Where(a => a.Status == PromotionStatus.Failed && a.IssueUrl == null).OrderBy(a => a.Id).Take(20)
            .Join(db.Candidates, a => a.CandidateId, c => c.Id, (a, c) => new { a.Id, Stream = c.Stream.Name }).ToListAsync(ct);
        return missing.Select(m => (m.Id, m.Stream)).ToList();
    }

    /// <summary>Opens the issue of a failed attempt if it still has none (called with the stream's promotion lock held).</summary>
    public async Task OpenMissingIssueAsync(long attemptId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var attempt = await db.PromotionAttempts.Include(a => a.Steps).SingleAsync(a => a.Id == attemptId, ct);
        if (attempt.Status != PromotionStatus.Failed || attempt.IssueUrl is not null)
        {
            return;
        }
        var candidate = await db.Candidates.Include(c => c.Stream).SingleAsync(c => c.Id == attempt.CandidateId, ct);
        await OpenIssueAsync(db, attempt, candidate, ct);
    }

    private async Task OpenIssueAsync(AppDbContext db, PromotionAttempt attempt, Candidate candidate, CancellationToken ct)
    {
        if (!forgeOptions.Value.Enabled)
        {
            return;
        }
        var step = attempt.Steps.Where(s => s.Status == PromotionStatus.Failed).OrderBy(s => s.Position).FirstOrDefault();
        var title = $"Promotion of {candidate.Id} failed: {step?.Description ?? "promotion"}";
        try
        {
            var issue = await forge.OpenIssueAsync(title, IssueBody(attempt, candidate, step), ct);
            var now = clock.GetUtcNow();
            attempt.IssueUrl = issue.Url;
            db.Issues.Add(new IssueLink
            {
                CandidateId = candidate.Id,
                StreamId = candidate.StreamId,
                Provider = forge.Provider,
                Number = issue.Number,
                Url = issue.Url,
                Title = issue.Title,
                Body = IssueBody(attempt, candidate, step),
                CreatedAt = now,
            });
            db.Record(now, Actor.System, "issue.opened", $"Opened issue #{issue.Number}: {title}", candidateId: candidate.Id, streamId: candidate.StreamId,
                data: new { issue.Number, issue.Url, attempt = attempt.Number });
            await SaveAsync(db, candidate, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The promotion's outcome is recorded already; the issue is opened by the next sweep.
            logger.LogWarning("Opening the issue for the failed promotion of {Candidate} failed, retried on the next sweep: {Error}", candidate.Id, e.Message);
        }
    }

    public static string IssueBody(PromotionAttempt attempt, Candidate candidate, PromotionStep? step)
    {
        // The error and the output come from outside (a webhook receiver's answer, a command's output): text, never Markdown.
        var body = new StringBuilder();
        body.AppendLine($"Promoting **{MarkdownText.Escape(candidate.Id)}** (stream {MarkdownText.Code(candidate.Stream.Name)}, attempt {attempt.Number}, requested by {MarkdownText.Escape(attempt.RequestedBy)}) failed.");
        body.AppendLine();
        if (step is not null)
        {
            body.AppendLine($"- Step {step.Position}: {step.Action} — {MarkdownText.Escape(step.Description)}");
            body.AppendLine($"- Tries: {step.Tries}");
            body.AppendLine($"- Error: {MarkdownText.Escape(step.Error)}");
        }
        body.AppendLine("- Later steps were not run; what was published before is unchanged.");
        var log = step?.Output?.Split('\n').TakeLast(IssueLogLines).ToList();
        if (log is { Count: > 0 } && log.Any(l => l.Length > 0))
        {
            body.AppendLine();
            body.AppendLine("Output (last lines):");
            body.Append(MarkdownText.Block(string.Join('\n', log).TrimEnd()));
        }
        body.AppendLine();
        body.AppendLine($"After fixing the cause, a release engineer retries with the Promote button or {MarkdownText.Code($"POST /api/v1/candidates/{candidate.Id}/promote")}.");
        return body.ToString();
    }

    private async Task SaveAsync(AppDbContext db, Candidate candidate, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        feed.Publish(new CandidateChange(candidate.Id, candidate.Stream.Name, "promotion"));
    }

    private static string? Bound(string? output) =>
        output is null || output.Length <= CommandAction.MaxOutput ? output : CommandAction.Dropped + "\n" + output[^CommandAction.MaxOutput..];
}

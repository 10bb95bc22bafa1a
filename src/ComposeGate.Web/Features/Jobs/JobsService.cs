using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Promotion;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;
using Hangfire;
using Hangfire.States;
using Hangfire.Storage;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Background work as people see it: promotions (pending, running, recent, failed, with their steps and their
/// Hangfire job), the recurring Hangfire jobs the features declare, outgoing webhook deliveries still owed or given up, the last check of each source, and the
/// message bus (connections, announcements heard, the outbox of our events).
/// Release engineers can run a scheduled job now and send a webhook delivery again.
/// </summary>
public sealed class JobsService(
    IDbContextFactory<AppDbContext> dbFactory,
    JobStorage storage,
    IRecurringJobManager recurring,
    IEnumerable<ScheduledJob> declared,
    Events.WebhookQueue webhooks,
    Bus.BusService bus,
    TimeProvider clock)
{
    public const int RecentPromotions = 50;

    public async Task<JobsOverview> OverviewAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var unfinished = await db.PromotionAttempts.AsNoTracking().Include(a => a.Steps)
            .Where(a => a.Status == PromotionStatus.Pending || a.Status == PromotionStatus.Running).OrderBy(a => a.Id).ToListAsync(ct);
        var recent = await db.PromotionAttempts.AsNoTracking().Include(a => a.Steps)
            .Where(a => a.Status != PromotionStatus.Pending && a.Status != PromotionStatus.Running)
            .OrderByDescending(a => a.Id).Take(RecentPromotions).ToListAsync(ct);
        var candidates = unfinished.Concat(recent).Select(a => a.CandidateId).Distinct().ToList();
        var status = await db.Candidates.AsNoTracking().Where(c => candidates.Contains(c.Id))
            .Select(c => new { c.Id, c.Status, Stream = c.Stream.Name }).ToDictionaryAsync(c => c.Id, ct);
        var latest = unfinished.Concat(recent).GroupBy(a => a.CandidateId).ToDictionary(g => g.Key, g => g.Max(a => a.Number));
        PromotionRow Row(PromotionAttempt a)
        {
            var current = a.Steps.OrderBy(s => s.Position).FirstOrDefault(s => s.Status is PromotionStatus.Running or PromotionStatus.Failed or PromotionStatus.Cancelled)
                ?? a.Steps.OrderBy(s => s.Position).FirstOrDefault(s => s.Status == PromotionStatus.Pending);
            var candidate = status.GetValueOrDefault(a.CandidateId);
            return new PromotionRow(a.CandidateId, candidate?.Stream ?? "", a.Number, a.Trigger, a.RequestedBy, a.Status, a.CreatedAt, a.StartedAt, a.FinishedAt,
                a.Steps.Count(s => s.Status == PromotionStatus.Succeeded), a.Steps.Count, current?.Description, current?.Tries ?? 0, a.Error ?? current?.Error,
                a.IssueUrl, Retriable: candidate?.Status == ComposeGate.Candidates.CandidateStatus.Failed && a.Number == latest[a.CandidateId], a.JobId);
        }

        var webhooks = await db.WebhookDeliveries.AsNoTracking().Where(d => d.DeliveredAt == null)
            .OrderBy(d => d.Id).Take(200)
            // Masked on the way out too: rows written before URLs were masked when stored.
            .Select(d => new DeliveryRow(d.Id, d.Event, d.CandidateId, UrlSecrets.Apply(d.Url), d.CreatedAt, d.Attempts, d.NextAttemptAt, d.GaveUpAt,
                UrlSecrets.ApplyWithin(d.LastError)))
            .ToListAsync(ct);
        var delivered = await db.WebhookDeliveries.CountAsync(d => d.DeliveredAt != null, ct);
        var sources = await db.SourcePolls.AsNoTracking().Join(db.Streams, p => p.StreamId, s => s.Id,
                (p, s) => new SourceRow(s.Name, Sources.SourcePollJob.Id(s.Name), UrlSecrets.Apply(p.Location), p.LastCheckedAt, p.LastSuccessAt, UrlSecrets.ApplyWithin(p.LastOutcome),
                    UrlSecrets.ApplyWithin(p.LastError), p.ConsecutiveFailures))
            .ToListAsync(ct);
        return new JobsOverview(unfinished.Select(Row).ToList(), recent.Select(Row).ToList(), await ScheduledAsync(ct), webhooks, delivered,
            sources.OrderBy(s => s.Stream, StringComparer.Ordinal).ToList(), await bus.OverviewAsync(ct));
    }

    private Task<List<ScheduledRow>> ScheduledAsync(CancellationToken ct)
    {
        using var connection = storage.GetConnection();
        var stored = connection.GetRecurringJobs().ToDictionary(r => r.Id, StringComparer.Ordinal);
        var rows = new List<ScheduledRow>();
        foreach (var job in declared)
        {
            ct.ThrowIfCancellationRequested();
            var dto = stored.GetValueOrDefault(job.Id);
            var state = dto?.LastJobState;
            DateTimeOffset? since = null;
            if ((state == EnqueuedState.StateName || state == ProcessingState.StateName) && dto?.LastJobId is { } last)
            {
                since = connection.GetJobData(last) is { } data ? new DateTimeOffset(DateTime.SpecifyKind(data.CreatedAt, DateTimeKind.Utc)) : Utc(dto.LastExecution);
            }
            rows.Add(new ScheduledRow(job.Id, job.Description, $"cron {job.Cron}", Utc(dto?.NextExecution), Utc(dto?.LastExecution), since,
                dto?.LastJobId, state));
        }
        return Task.FromResult(rows.OrderBy(r => r.Name, StringComparer.Ordinal).ToList());
    }

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    /// <summary>Runs a recurring job now (a source check, the promotion sweep) instead of waiting for its next time.</summary>
    public async Task<Outcome<string>> RunNowAsync(ClaimsPrincipal actor, string job, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<string>.Forbidden("Running a job needs the ReleaseEngineer role or above.");
        }
        if (declared.All(d => d.Id != job))
        {
            return new Outcome<string>.NotFound($"No job '{job}'.");
        }
        recurring.Trigger(job);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Record(clock.GetUtcNow(), Actor.NameOf(actor), "job.triggered", $"Ran the job '{job}' now");
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>Sends an undelivered (or given up) webhook delivery again at once.</summary>
    public async Task<Outcome<string>> RetryDeliveryAsync(ClaimsPrincipal actor, long deliveryId, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<string>.Forbidden("Retrying a delivery needs the ReleaseEngineer role or above.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, ct);
        if (delivery is null || delivery.DeliveredAt is not null)
        {
            return new Outcome<string>.NotFound($"No undelivered webhook delivery {deliveryId}.");
        }
        var now = clock.GetUtcNow();
        delivery.GaveUpAt = null;
        delivery.NextAttemptAt = now;
        db.Record(now, Actor.NameOf(actor), "webhook.retry", $"Sending {delivery.Event} to {delivery.Url} again", candidateId: delivery.CandidateId);
        await db.SaveChangesAsync(ct);
        webhooks.Enqueue();
        return delivery.Url;
    }
}

public sealed record JobsOverview(
    IReadOnlyList<PromotionRow> Running,
    IReadOnlyList<PromotionRow> Recent,
    IReadOnlyList<ScheduledRow> Scheduled,
    IReadOnlyList<DeliveryRow> Undelivered,
    int Delivered,
    IReadOnlyList<SourceRow> Sources,
    Bus.BusOverview Bus);

public sealed record PromotionRow(string Candidate, string Stream, int Attempt, PromotionTrigger Trigger, string RequestedBy, PromotionStatus Status,
    DateTimeOffset Requested, DateTimeOffset? Started, DateTimeOffset? Finished, int StepsDone, int Steps, string? CurrentStep, int Tries, string? Error,
    string? Issue, bool Retriable, string? Job);

/// <summary>A recurring job: <see cref="LastJob"/> is the Hangfire job of its latest run and <see cref="LastState"/> that job's state.</summary>
public sealed record ScheduledRow(string Name, string? Description, string Schedule, DateTimeOffset? Next, DateTimeOffset? Previous, DateTimeOffset? RunningSince,
    string? LastJob, string? LastState);

public sealed record DeliveryRow(long Id, string Event, string? Candidate, string Url, DateTimeOffset Created, int Attempts, DateTimeOffset NextAttempt,
    DateTimeOffset? GaveUp, string? LastError);

public sealed record SourceRow(string Stream, string Job, string Location, DateTimeOffset? LastChecked, DateTimeOffset? LastSuccess, string? Outcome, string? Error,
    int ConsecutiveFailures);

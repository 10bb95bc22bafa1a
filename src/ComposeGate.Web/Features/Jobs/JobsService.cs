using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Promotion;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Background work as people see it: promotions (pending, running, recent, failed, with their steps), the
/// scheduled Quartz jobs, outgoing webhook deliveries still owed or given up, the last check of each source, and the
/// message bus (connections, announcements heard, the outbox of our events).
/// Release engineers can run a scheduled job now and send a webhook delivery again.
/// </summary>
public sealed class JobsService(IDbContextFactory<AppDbContext> dbFactory, ISchedulerFactory schedulers, Bus.BusService bus, TimeProvider clock)
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
                a.IssueUrl, Retriable: candidate?.Status == ComposeGate.Candidates.CandidateStatus.Failed && a.Number == latest[a.CandidateId]);
        }

        var webhooks = await db.WebhookDeliveries.AsNoTracking().Where(d => d.DeliveredAt == null)
            .OrderBy(d => d.Id).Take(200)
            // Masked on the way out too: rows written before URLs were masked when stored.
            .Select(d => new DeliveryRow(d.Id, d.Event, d.CandidateId, UrlSecrets.Apply(d.Url), d.CreatedAt, d.Attempts, d.NextAttemptAt, d.GaveUpAt,
                UrlSecrets.ApplyWithin(d.LastError)))
            .ToListAsync(ct);
        var delivered = await db.WebhookDeliveries.CountAsync(d => d.DeliveredAt != null, ct);
        var sources = await db.SourcePolls.AsNoTracking().Join(db.Streams, p => p.StreamId, s => s.Id,
                (p, s) => new SourceRow(s.Name, UrlSecrets.Apply(p.Location), p.LastCheckedAt, p.LastSuccessAt, UrlSecrets.ApplyWithin(p.LastOutcome),
                    UrlSecrets.ApplyWithin(p.LastError), p.ConsecutiveFailures))
            .ToListAsync(ct);
        return new JobsOverview(unfinished.Select(Row).ToList(), recent.Select(Row).ToList(), await ScheduledAsync(ct), webhooks, delivered,
            sources.OrderBy(s => s.Stream, StringComparer.Ordinal).ToList(), await bus.OverviewAsync(ct));
    }

    private async Task<List<ScheduledRow>> ScheduledAsync(CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var executing = (await scheduler.QueryFireInstances(new FireInstanceQuery { State = FireInstanceState.Executing }, ct)).Items
            .Where(f => f.JobKey is not null).GroupBy(f => f.JobKey!).ToDictionary(g => g.Key, g => g.Min(f => f.FireTimeUtc));
        var rows = new List<ScheduledRow>();
        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup(), ct))
        {
            var detail = await scheduler.GetJobDetail(key, ct);
            var triggers = await scheduler.GetTriggersOfJob(key, ct);
            var schedule = triggers.Select(t => t switch
            {
                ICronTrigger cron => $"cron {cron.CronExpressionString}",
                ISimpleTrigger simple when simple.RepeatCount != 0 => $"every {simple.RepeatInterval.TotalSeconds:0} s",
                _ => "on demand",
            }).Distinct().DefaultIfEmpty("on demand");
            rows.Add(new ScheduledRow(key.Name, detail?.Description, string.Join(", ", schedule),
                triggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min(),
                triggers.Select(t => t.PreviousFireTimeUtc).Where(t => t is not null).Max(),
                executing.TryGetValue(key, out var since) ? since : null));
        }
        return rows.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Runs a scheduled job now (a source check, the promotion sweep) instead of waiting for its next time.</summary>
    public async Task<Outcome<string>> RunNowAsync(ClaimsPrincipal actor, string job, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<string>.Forbidden("Running a job needs the ReleaseEngineer role or above.");
        }
        var scheduler = await schedulers.GetScheduler(ct);
        var key = new JobKey(job);
        if (!await scheduler.Exists(key, ct))
        {
            return new Outcome<string>.NotFound($"No job '{job}'.");
        }
        await scheduler.TriggerJob(key, ct);
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
    string? Issue, bool Retriable);

public sealed record ScheduledRow(string Name, string? Description, string Schedule, DateTimeOffset? Next, DateTimeOffset? Previous, DateTimeOffset? RunningSince);

public sealed record DeliveryRow(long Id, string Event, string? Candidate, string Url, DateTimeOffset Created, int Attempts, DateTimeOffset NextAttempt,
    DateTimeOffset? GaveUp, string? LastError);

public sealed record SourceRow(string Stream, string Location, DateTimeOffset? LastChecked, DateTimeOffset? LastSuccess, string? Outcome, string? Error,
    int ConsecutiveFailures);

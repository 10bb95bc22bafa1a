using System.Security.Cryptography;
using System.Text;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Web.Access;
using ComposeGate.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Events;

/// <summary>
/// Sends due webhook deliveries (from the <see cref="WebhookJobs"/> job): a JSON POST signed with HMAC-SHA256 of the
/// body under the subscriber's secret (<c>X-ComposeGate-Signature: sha256=&lt;hex&gt;</c>), with the event id for
/// deduplication. A refusal or a fault is retried with growing pauses; after <see cref="MaxAttempts"/> the delivery is
/// given up and recorded.
/// </summary>
public sealed class WebhookSender(
    IDbContextFactory<AppDbContext> dbFactory,
    IHttpClientFactory http,
    OutgoingEvents events,
    TimeProvider clock)
{
    public const int MaxAttempts = 10;
    public const string HttpClientName = "webhooks";
    public const int Batch = 50;

    /// <summary>When the next undelivered delivery is due, if one is waiting.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var next = await db.WebhookDeliveries.Where(d => d.DeliveredAt == null && d.GaveUpAt == null)
            .OrderBy(d => d.NextAttemptAt).Select(d => (DateTimeOffset?)d.NextAttemptAt).FirstOrDefaultAsync(ct);
        return next;
    }

    /// <summary>Sends up to <see cref="Batch"/> deliveries that are due; returns how many were tried.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var due = await db.WebhookDeliveries.Where(d => d.DeliveredAt == null && d.GaveUpAt == null && d.NextAttemptAt <= now)
            .OrderBy(d => d.Id).Take(Batch).ToListAsync(ct);
        var streams = await db.Streams.Where(s => due.Select(d => d.StreamId).Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        foreach (var delivery in due)
        {
            var stream = streams[delivery.StreamId];
            var error = await SendAsync(stream, delivery, ct);
            delivery.Attempts++;
            if (error is null)
            {
                delivery.DeliveredAt = clock.GetUtcNow();
                delivery.LastError = null;
            }
            else if (delivery.Attempts >= MaxAttempts)
            {
                delivery.GaveUpAt = clock.GetUtcNow();
                delivery.LastError = error;
                db.Record(clock.GetUtcNow(), Actor.System, "webhook.failed", $"Gave up delivering {delivery.Event} to {delivery.Url}: {error}",
                    candidateId: delivery.CandidateId, streamId: delivery.StreamId);
            }
            else
            {
                delivery.LastError = error;
                delivery.NextAttemptAt = clock.GetUtcNow() + Backoff(delivery.Attempts);
            }
            await db.SaveChangesAsync(ct);
        }
        return due.Count;
    }

    /// <summary>2 s, 4 s, 8 s … up to an hour.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(3600, Math.Pow(2, attempts)));

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private async Task<string?> SendAsync(string stream, ComposeGate.Events.WebhookDelivery delivery, CancellationToken ct)
    {
        if (events.HookFor(stream, delivery.Url) is not { Url: { } url, Secret: { } secret })
        {
            return "the webhook is no longer configured";
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-ComposeGate-Event", delivery.Event);
        request.Headers.Add("X-ComposeGate-Delivery", delivery.EventId.ToString());
        request.Headers.Add("X-ComposeGate-Signature", Sign(secret, delivery.Payload));
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return UrlSecrets.ApplyWithin(e.Message);
        }
    }
}

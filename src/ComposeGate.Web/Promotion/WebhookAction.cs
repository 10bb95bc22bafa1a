using System.Net;
using System.Text;
using System.Text.Json;
using ComposeGate.Web.Features.Events;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Security;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// Tells a receiver the candidate is being promoted: a JSON POST signed like the stream's outgoing events
/// (<c>X-ComposeGate-Signature: sha256=…</c> over the body). The delivery id is the same on every try and after a
/// resume, so a receiver that saw it already can ignore it. 5xx, 429 and network faults are retried; any other
/// refusal fails the promotion.
/// </summary>
public sealed class WebhookAction(IHttpClientFactory http, IOptionsMonitor<StreamsOptions> streams, TimeProvider clock) : IPromotionAction
{
    public const string Event = "candidate.promoting";

    public string Kind => "Webhook";

    public static string Describe(PromotionWebhookSettings settings) => $"POST {UrlSecrets.Apply(settings.Url)}";

    /// <summary>
    /// The settings kept with the step: the signing secret stays in configuration, never in the database, and so do
    /// any credentials in the URL; the step finds its webhook in configuration again by the masked URL.
    /// </summary>
    public static PromotionWebhookSettings Stored(PromotionWebhookSettings settings) => new() { Url = UrlSecrets.Apply(settings.Url) };

    public async Task<string> RunAsync(PromotionStepContext step, CancellationToken ct)
    {
        var url = UrlSecrets.Apply(JsonSerializer.Deserialize<PromotionWebhookSettings>(step.Settings, JsonSerializerOptions.Web)!.Url);
        var webhook = streams.CurrentValue.TryGetValue(step.Candidate.Stream, out var stream)
            ? stream.Promotion.Select(a => a.Webhook).FirstOrDefault(w => w?.Url is not null && UrlSecrets.Apply(w.Url) == url)
            : null;
        if (webhook?.Secret is not { } secret)
        {
            throw new PromotionStepException($"The webhook {url} is no longer configured for {step.Candidate.Stream}: there is no secret to sign with.", transient: false);
        }
        var candidate = step.Candidate;
        var delivery = $"{candidate.Id}/promotion-{step.Attempt}/step-{step.Position}";
        var body = JsonSerializer.Serialize(new
        {
            id = delivery,
            @event = Event,
            stream = candidate.Stream,
            candidate = candidate.Id,
            kind = candidate.Kind.ToString().ToLowerInvariant(),
            source = candidate.SourceUrl,
            candidate.Image,
            candidate.Tag,
            candidate.Digest,
            attempt = step.Attempt,
            at = clock.GetUtcNow(),
        }, JsonSerializerOptions.Web);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-ComposeGate-Event", Event);
        request.Headers.Add("X-ComposeGate-Delivery", delivery);
        request.Headers.Add("X-ComposeGate-Signature", WebhookSender.Sign(secret, body));
        try
        {
            using var response = await http.CreateClient(WebhookSender.HttpClientName).SendAsync(request, ct);
            var answer = $"POST {url} → {(int)response.StatusCode} {response.ReasonPhrase} (delivery {delivery})";
            if (response.IsSuccessStatusCode)
            {
                return answer + Environment.NewLine;
            }
            var transient = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests;
            throw new PromotionStepException($"The webhook refused the promotion: {answer}.", transient, answer, response.Headers.RetryAfter?.Delta);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new PromotionStepException($"POST {url} failed: {UrlSecrets.ApplyWithin(e.Message)}", transient: true, inner: e);
        }
    }
}

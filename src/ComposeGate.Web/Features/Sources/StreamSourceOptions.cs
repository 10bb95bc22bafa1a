using ComposeGate.Streams;
using ComposeGate.Web.Bus;
using ComposeGate.Web.Promotion;
using ComposeGate.Web.Promotion.Registry;
using ComposeGate.Web.Security;
using Microsoft.Extensions.Options;
using ComposeGate.Web.Features.Jobs;

namespace ComposeGate.Web.Features.Sources;

/// <summary><c>ComposeGate:Streams:&lt;stream&gt;</c>: the per-stream settings an operator keeps in configuration.</summary>
public sealed class StreamsOptions : Dictionary<string, StreamSettings>
{
    public const string Section = "ComposeGate:Streams";

    public StreamsOptions() : base(StringComparer.Ordinal)
    {
    }
}

public sealed class StreamSettings
{
    public string? Description { get; set; }
    public SourceSettings? Source { get; set; }

    /// <summary>Subscribers to the stream's events: HMAC-signed JSON POSTs.</summary>
    public List<WebhookSettings> Webhooks { get; set; } = [];

    /// <summary>The ordered promotion actions; none means promoting only merges and announces.</summary>
    public List<PromotionActionSettings> Promotion { get; set; } = [];
}

/// <summary>One subscriber: <c>Events</c> limits which events it gets (all when empty).</summary>
public sealed class WebhookSettings
{
    public string? Url { get; set; }
    public string? Secret { get; set; }
    public List<string> Events { get; set; } = [];
}

/// <summary>Where a stream's candidates come from, checked on a cron schedule (UTC).</summary>
public sealed class SourceSettings
{
    /// <summary>A compose top directory, or a directory of composes, over http(s) or as an absolute path.</summary>
    public string? ComposeUrl { get; set; }
    public string? Image { get; set; }
    public string? Tag { get; set; }
    /// <summary>Cron in UTC, five fields or six with seconds first: <c>0 */15 * * * *</c> (or <c>*/15 * * * *</c>) is every quarter hour.</summary>
    public string? Schedule { get; set; }

    /// <summary>Compose announcements heard on an AMQP queue (pungi's <c>status.change</c>), alone or beside a polled <see cref="ComposeUrl"/>.</summary>
    public AmqpSourceSettings? Amqp { get; set; }

    public StreamKind Kind => Image is null ? StreamKind.Compose : StreamKind.Image;
    public string Location => ComposeUrl ?? $"{Image}:{Tag}";
}

/// <summary>Every stream's settings are checked at start-up, and every error is reported at once.</summary>
internal sealed class StreamsOptionsValidator : IValidateOptions<StreamsOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamsOptions options)
    {
        var errors = new List<string>();
        var queues = new Dictionary<(string Broker, string Queue), string>();
        foreach (var (stream, settings) in options)
        {
            var key = $"{StreamsOptions.Section}:{stream}";
            if (!System.Text.RegularExpressions.Regex.IsMatch(stream, ReleaseStream.NamePattern))
            {
                errors.Add($"{key}: '{stream}' is not a stream name (lower-case letters, digits, '.', '_', '-').");
            }
            for (var i = 0; i < settings.Webhooks.Count; i++)
            {
                var hook = settings.Webhooks[i];
                if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var hookUri) || hookUri.Scheme is not ("http" or "https"))
                {
                    errors.Add($"{key}:Webhooks:{i}:Url '{UrlSecrets.Apply(hook.Url)}' is not an http(s) URL.");
                }
                if (string.IsNullOrEmpty(hook.Secret) || hook.Secret.Length < 16)
                {
                    errors.Add($"{key}:Webhooks:{i}:Secret is required (at least 16 characters): receivers check the signature with it.");
                }
                foreach (var unknown in hook.Events.Where(e => !Events.OutgoingEvents.Kinds.Contains(e)))
                {
                    errors.Add($"{key}:Webhooks:{i}:Events '{unknown}' is not an event ({string.Join(", ", Events.OutgoingEvents.Kinds)}).");
                }
            }
            errors.AddRange(PromotionSettingsValidation.Errors(key, settings.Source?.Kind, settings.Promotion));
            if (settings.Source is not { } source)
            {
                continue;
            }
            if (source.ComposeUrl is not null && source.Image is not null || source.ComposeUrl is null && source.Image is null && source.Amqp is null)
            {
                errors.Add($"{key}:Source needs exactly one of ComposeUrl or Image (or Amqp, for composes).");
            }
            if (source.Amqp is { } amqp)
            {
                if (source.Image is not null)
                {
                    errors.Add($"{key}:Source:Amqp announces composes; an image stream cannot take it.");
                }
                errors.AddRange(amqp.Errors($"{key}:Source:Amqp"));
                if (amqp.Queue is { } queue && queues.TryGetValue((UrlSecrets.Apply(amqp.Url) ?? "", queue), out var other))
                {
                    errors.Add($"{key}:Source:Amqp:Queue '{queue}' is also the queue of stream '{other}'; each stream needs its own queue.");
                }
                else if (amqp.Queue is { } own)
                {
                    queues[(UrlSecrets.Apply(amqp.Url) ?? "", own)] = stream;
                }
            }
            if (source.ComposeUrl is { } url && !url.StartsWith('/')
                && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file"))
            {
                errors.Add($"{key}:Source:ComposeUrl '{UrlSecrets.Apply(url)}' is neither an http(s) URL nor an absolute path.");
            }
            if (source.Image is not null && string.IsNullOrEmpty(source.Tag))
            {
                errors.Add($"{key}:Source:Tag is required with Image.");
            }
            if (source.Image is not null && !ImageReference.TryParse(source.Image, out _, out var imageError))
            {
                errors.Add($"{key}:Source:Image '{source.Image}': {imageError}");
            }
            if (!string.IsNullOrEmpty(source.Tag) && !ImageReference.IsValidTag(source.Tag))
            {
                errors.Add($"{key}:Source:Tag '{source.Tag}' is not an image tag.");
            }
            if (string.IsNullOrEmpty(source.Schedule) && source.ComposeUrl is null && source.Image is null)
            {
                continue;
            }
            if (string.IsNullOrEmpty(source.Schedule))
            {
                errors.Add($"{key}:Source:Schedule is required (a cron schedule, e.g. '*/15 * * * *' or with seconds '0 */15 * * * *').");
            }
            else if (CronSchedule.Problem(source.Schedule) is { } problem)
            {
                errors.Add($"{key}:Source:Schedule {problem}");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using System.Text.RegularExpressions;
using ComposeGate.Web.Security;

namespace ComposeGate.Web.Bus;

/// <summary>Where an AMQP broker is and how to prove who we are to it.</summary>
public class AmqpEndpointSettings
{
    /// <summary><c>amqp://user:password@host:5672/vhost</c> or <c>amqps://…</c>; the password is never shown or logged.</summary>
    public string? Url { get; set; }

    /// <summary>PEM client certificate for brokers that authenticate by certificate (Fedora's public broker does).</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificate"/>.</summary>
    public string? ClientKey { get; set; }

    /// <summary>PEM certificate authority the broker's certificate must chain to (instead of the system's).</summary>
    public string? CaCertificate { get; set; }

    /// <summary>The URL without its password, for pages and logs.</summary>
    public string Endpoint => UrlSecrets.Apply(Url) ?? "";

    /// <summary>Every problem with the broker settings, keyed under <paramref name="key"/>.</summary>
    public IEnumerable<string> EndpointErrors(string key)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0)
        {
            yield return $"{key}:Url '{Endpoint}' is not an amqp:// or amqps:// URL.";
        }
        if ((ClientCertificate is null) != (ClientKey is null))
        {
            yield return $"{key}: ClientCertificate and ClientKey go together.";
        }
        foreach (var (name, path) in new[] { ("ClientCertificate", ClientCertificate), ("ClientKey", ClientKey), ("CaCertificate", CaCertificate) })
        {
            if (path is not null && !File.Exists(path))
            {
                yield return $"{key}:{name} '{path}' does not exist.";
            }
        }
        if ((ClientCertificate ?? CaCertificate) is not null && uri?.Scheme == "amqp")
        {
            yield return $"{key}: certificates need an amqps:// URL.";
        }
    }
}

/// <summary>
/// <c>ComposeGate:Streams:&lt;stream&gt;:Source:Amqp</c>: hear pungi's compose announcements for this stream on a
/// durable queue bound to <see cref="Exchange"/> with <see cref="Topic"/>. A FINISHED announcement whose compose id
/// matches <see cref="ComposeIdPattern"/> is ingested from its <c>location</c>.
/// </summary>
public sealed class AmqpSourceSettings : AmqpEndpointSettings
{
    public const string DefaultTopic = "org.fedoraproject.prod.pungi.compose.status.change";

    public string Exchange { get; set; } = "amq.topic";

    /// <summary>The durable queue this stream reads; it is declared and bound if missing. One stream per queue.</summary>
    public string? Queue { get; set; }

    /// <summary>The binding key (a topic pattern: <c>*</c> one word, <c>#</c> any).</summary>
    public string Topic { get; set; } = DefaultTopic;

    /// <summary>A regular expression the announced compose id must match, e.g. <c>^Fedora-Rawhide-\d{8}\.n\.\d+$</c>.</summary>
    public string? ComposeIdPattern { get; set; }

    /// <summary>How many unacknowledged messages the broker hands over ahead of time.</summary>
    public ushort Prefetch { get; set; } = 20;

    /// <summary>How long a FINISHED compose that cannot be read yet (mirror lag, server down) is retried before it is recorded as failed.</summary>
    public int RetrySeconds { get; set; } = 120;

    /// <summary>Whether the announced compose belongs to this stream; the static match keeps the parsed pattern in Regex's cache.</summary>
    public bool IsComposeOfThisStream(string composeId) =>
        Regex.IsMatch(composeId, ComposeIdPattern!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Every problem with these settings, keyed under <paramref name="key"/>.</summary>
    public IEnumerable<string> Errors(string key)
    {
        foreach (var error in EndpointErrors(key))
        {
            yield return error;
        }
        if (string.IsNullOrWhiteSpace(Queue) || Queue.Length > 255 || Queue.StartsWith("amq.", StringComparison.Ordinal))
        {
            yield return $"{key}:Queue is required: a durable queue name of at most 255 characters, not starting with 'amq.'.";
        }
        if (string.IsNullOrWhiteSpace(Exchange))
        {
            yield return $"{key}:Exchange is required (pungi's messages go to 'amq.topic').";
        }
        if (string.IsNullOrWhiteSpace(Topic))
        {
            yield return $"{key}:Topic is required, e.g. '{DefaultTopic}'.";
        }
        string? patternError = null;
        if (string.IsNullOrWhiteSpace(ComposeIdPattern))
        {
            patternError = "is required: which announced composes belong to this stream, e.g. '^Fedora-Rawhide-\\d{8}\\.n\\.\\d+$'.";
        }
        else
        {
            try
            {
                _ = new Regex(ComposeIdPattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                patternError = $"'{ComposeIdPattern}' is not a regular expression: {e.Message}";
            }
        }
        if (patternError is not null)
        {
            yield return $"{key}:ComposeIdPattern {patternError}";
        }
        if (Prefetch is 0 or > 1000)
        {
            yield return $"{key}:Prefetch must be between 1 and 1000.";
        }
        if (RetrySeconds is < 0 or > 86400)
        {
            yield return $"{key}:RetrySeconds must be between 0 and 86400.";
        }
    }
}

/// <summary>
/// <c>ComposeGate:Bus:Publish</c>: our own events (candidate created, decision changed, promoted, failed) go to
/// <see cref="Exchange"/> with the routing key <c>&lt;TopicPrefix&gt;.composegate.&lt;event&gt;</c>.
/// </summary>
public sealed class BusPublishOptions : AmqpEndpointSettings
{
    public const string Section = "ComposeGate:Bus:Publish";

    /// <summary>A topic exchange; declared (durable) unless it is one of the broker's own <c>amq.*</c>.</summary>
    public string Exchange { get; set; } = "amq.topic";

    /// <summary>Put before <c>composegate.&lt;event&gt;</c>, as fedora-messaging's <c>topic_prefix</c> (<c>org.example.prod</c>).</summary>
    public string? TopicPrefix { get; set; }

    /// <summary>Which events to publish (all when empty).</summary>
    public List<string> Events { get; set; } = [];

    public bool Enabled => !string.IsNullOrEmpty(Url);

    public string RoutingKey(string kind) => string.IsNullOrEmpty(TopicPrefix) ? $"composegate.{kind}" : $"{TopicPrefix}.composegate.{kind}";

    public bool Publishes(string kind) => Enabled && (Events.Count == 0 || Events.Contains(kind));
}

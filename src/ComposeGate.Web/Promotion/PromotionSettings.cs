using System.Text.RegularExpressions;
using ComposeGate.Streams;
using ComposeGate.Web.Security;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// One entry of <c>ComposeGate:Streams:&lt;stream&gt;:Promotion</c>: exactly one of the four actions, run in order
/// when the stream's candidate is promoted.
/// </summary>
public sealed class PromotionActionSettings
{
    public PublishSettings? Publish { get; set; }
    public RetagSettings? Retag { get; set; }
    public PromotionWebhookSettings? Webhook { get; set; }
    public CommandSettings? Command { get; set; }
}

/// <summary>Places the compose at <c>Root/&lt;id&gt;</c>, then switches the symlink <c>Root/Link</c> to it atomically.</summary>
public sealed class PublishSettings
{
    public string? Root { get; set; }
    public string? Link { get; set; }
}

/// <summary>Gives the candidate's exact digest the tag <see cref="Tag"/> in the image's own repository.</summary>
public sealed class RetagSettings
{
    public string? Tag { get; set; }
}

/// <summary>A signed JSON POST announcing the promotion; retried while the receiver is unavailable.</summary>
public sealed class PromotionWebhookSettings
{
    public string? Url { get; set; }
    public string? Secret { get; set; }
}

/// <summary>An operator's program (a mirror sync, a chat post), with the candidate's facts in its environment.</summary>
public sealed class CommandSettings
{
    public string? Path { get; set; }
    public List<string> Args { get; set; } = [];
    public int TimeoutSeconds { get; set; } = 600;
}

/// <summary><c>ComposeGate:Promotion</c>: how often a transient fault (a registry timeout, a 503) is retried within a step.</summary>
public sealed class PromotionOptions
{
    public const string Section = "ComposeGate:Promotion";

    /// <summary>Tries of a step before a transient fault fails the promotion.</summary>
    public int Tries { get; set; } = 4;

    /// <summary>The pause before the first retry; it doubles with every further one.</summary>
    public double FirstRetrySeconds { get; set; } = 2;

    /// <summary>How often unfinished promotions and approved candidates of <c>promote: auto</c> streams are looked for.</summary>
    public int SweepSeconds { get; set; } = 30;
}

internal static partial class PromotionSettingsValidation
{
    /// <summary>Every error of a stream's promotion actions, each naming its configuration key; <paramref name="kind"/> is known from the source.</summary>
    public static IEnumerable<string> Errors(string key, StreamKind? kind, IReadOnlyList<PromotionActionSettings> actions)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var at = $"{key}:Promotion:{i}";
            var given = new object?[] { action.Publish, action.Retag, action.Webhook, action.Command }.Count(a => a is not null);
            if (given != 1)
            {
                yield return $"{at} needs exactly one of Publish, Retag, Webhook or Command.";
                continue;
            }
            if (action.Publish is { } publish)
            {
                if (kind == StreamKind.Image)
                {
                    yield return $"{at}:Publish places composes; this stream's candidates are images (use Retag).";
                }
                if (string.IsNullOrEmpty(publish.Root) || !System.IO.Path.IsPathFullyQualified(publish.Root))
                {
                    yield return $"{at}:Publish:Root '{publish.Root}' must be an absolute directory path.";
                }
                if (string.IsNullOrEmpty(publish.Link) || !LinkName().IsMatch(publish.Link) || publish.Link is "." or "..")
                {
                    yield return $"{at}:Publish:Link '{publish.Link}' must be a plain file name such as 'latest-CentOS-Stream-10'.";
                }
            }
            if (action.Retag is { } retag)
            {
                if (kind == StreamKind.Compose)
                {
                    yield return $"{at}:Retag moves image tags; this stream's candidates are composes (use Publish).";
                }
                if (string.IsNullOrEmpty(retag.Tag) || !Registry.ImageReference.IsValidTag(retag.Tag))
                {
                    yield return $"{at}:Retag:Tag '{retag.Tag}' is not an image tag (letters, digits, '_', '.', '-'; at most 128).";
                }
            }
            if (action.Webhook is { } webhook)
            {
                if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    yield return $"{at}:Webhook:Url '{UrlSecrets.Apply(webhook.Url)}' is not an http(s) URL.";
                }
                if (string.IsNullOrEmpty(webhook.Secret) || webhook.Secret.Length < 16)
                {
                    yield return $"{at}:Webhook:Secret is required (at least 16 characters): the receiver checks the signature with it.";
                }
            }
            if (action.Command is { } command)
            {
                if (string.IsNullOrEmpty(command.Path) || !System.IO.Path.IsPathFullyQualified(command.Path))
                {
                    yield return $"{at}:Command:Path '{command.Path}' must be the absolute path of a program.";
                }
                if (command.TimeoutSeconds is < 1 or > 86_400)
                {
                    yield return $"{at}:Command:TimeoutSeconds {command.TimeoutSeconds} must be between 1 and 86400.";
                }
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._+-]+$")]
    private static partial Regex LinkName();
}

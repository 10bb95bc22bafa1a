using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ComposeGate.Web.Security;

namespace ComposeGate.Web.Bus;

/// <summary>
/// A pungi <c>compose.status.change</c> announcement as fedora-messaging carries it: a JSON object with at least
/// <c>compose_id</c>, <c>status</c> and <c>location</c> (the public URL of <c>&lt;compose&gt;/compose</c>); every other
/// key is optional. A fedmsg-era envelope (the body under <c>msg</c>) is read too.
/// </summary>
public sealed record PungiMessage(string ComposeId, string Status, string? Location)
{
    public const string StatusChangeTopic = "pungi.compose.status.change";
    public const int MaxBody = 1024 * 1024;

    /// <summary>The compose statuses after which a compose is ingested; STARTED, DOOMED, TERMINATED are not.</summary>
    public static readonly IReadOnlyList<string> FinishedStatuses = Features.Candidates.ComposeFetcher.IngestibleStatuses;

    public bool Finished => FinishedStatuses.Contains(Status);

    /// <summary>True for pungi's status messages under any topic prefix (<c>org.fedoraproject.prod.</c>, <c>…stg.</c>, none).</summary>
    public static bool IsStatusChange(string topic) =>
        topic == StatusChangeTopic || topic.EndsWith("." + StatusChangeTopic, StringComparison.Ordinal);

    /// <summary>The message's own id, or one derived from its topic and body so that the same message twice is one.</summary>
    public static string IdOf(string? messageId, string topic, ReadOnlySpan<byte> body)
    {
        if (!string.IsNullOrWhiteSpace(messageId))
        {
            return messageId.Length <= 200 ? messageId : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)));
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(topic + "\n"));
        hash.AppendData(body);
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Reads the body; a body that is not an announcement gives the reason instead.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out PungiMessage? message, out string reason)
    {
        message = null;
        if (body.Length > MaxBody)
        {
            reason = $"The body is {body.Length} bytes; announcements are small JSON objects (at most {MaxBody}).";
            return false;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            reason = $"The body is not JSON: {e.Message}";
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = $"The body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object.";
                return false;
            }
            if (!root.TryGetProperty("compose_id", out _) && root.TryGetProperty("msg", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                root = inner;
            }
            if (Text(root, "compose_id") is not { } composeId)
            {
                reason = "$.compose_id: missing, or not a non-empty string.";
                return false;
            }
            if (composeId.Length > 200 || composeId.Any(c => char.IsWhiteSpace(c) || c is '/' or '\\'))
            {
                reason = $"$.compose_id: '{Shorten(composeId)}' is not a compose id.";
                return false;
            }
            if (Text(root, "status") is not { } status)
            {
                reason = "$.status: missing, or not a non-empty string.";
                return false;
            }
            var location = Text(root, "location");
            if (FinishedStatuses.Contains(status))
            {
                if (location is null)
                {
                    reason = "$.location: a FINISHED announcement must say where the compose is.";
                    return false;
                }
                if (!location.StartsWith('/') && !(Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file"))
                {
                    reason = $"$.location: '{Shorten(UrlSecrets.Apply(location))}' is neither an http(s) URL nor an absolute path.";
                    return false;
                }
            }
            message = new PungiMessage(composeId, status, location);
            reason = "";
            return true;
        }
    }

    /// <summary>
    /// Where to read the compose from, best first: pungi's <c>location</c> is <c>&lt;topdir&gt;/compose</c>, so its parent;
    /// when that is a <c>latest-…</c> link rather than the compose's own folder, the folder named after the compose beside it.
    /// </summary>
    public IReadOnlyList<string> ComposeDirectories()
    {
        // A query (a mirror's token) belongs to every directory tried, not to the path being taken apart.
        var question = Location!.IndexOf('?');
        var (path, query) = question < 0 ? (Location, "") : (Location[..question], Location[question..]);
        var location = path.TrimEnd('/');
        var topdir = location.EndsWith("/compose", StringComparison.Ordinal) ? location[..^"/compose".Length] : location;
        var slash = topdir.LastIndexOf('/');
        if (slash <= 0 || topdir[(slash + 1)..] == ComposeId)
        {
            return [topdir + query];
        }
        return [topdir[..(slash + 1)] + ComposeId + query, topdir + query];
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text.Trim() : null;

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ComposeGate.Web.Promotion.Registry;

/// <summary>
/// An image repository in a registry, without tag or digest: <c>quay.io/gitpod/workspace-full</c>,
/// <c>127.0.0.1:5000/gitpod/workspace</c>, or a Docker Hub short name (<c>ubuntu</c> is
/// <c>registry-1.docker.io/library/ubuntu</c>).
/// </summary>
/// <param name="Registry">Host and optional port, lower case (<c>quay.io</c>, <c>127.0.0.1:5000</c>, <c>[::1]:5000</c>).</param>
/// <param name="Repository">The repository path (the distribution-spec <c>&lt;name&gt;</c>).</param>
public sealed partial record ImageReference(string Registry, string Repository)
{
    /// <summary>The host that serves Docker Hub's registry API; <c>docker.io</c> itself only redirects.</summary>
    public const string DockerHub = "registry-1.docker.io";

    // Docker's own limit on the full name (registry and path).
    private const int MaxNameLength = 255;

    private static readonly string[] DockerHubAliases = ["docker.io", "index.docker.io", DockerHub];

    /// <summary>Parses a repository reference; the tag or digest is chosen separately and must not be part of it.</summary>
    public static bool TryParse(string? image, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = Check(image, out var registry, out var repository);
        if (error is not null)
        {
            return false;
        }
        reference = new ImageReference(registry!, repository!);
        return true;
    }

    /// <summary>The distribution-spec tag grammar: up to 128 characters, not starting with '.' or '-'.</summary>
    public static bool IsValidTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>Whether <paramref name="host"/> is host[:port] with a valid host name, IPv4 or bracketed IPv6 address.</summary>
    public static bool IsValidRegistry(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }
        var name = host;
        string? port = null;
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            name = host[1..close];
            var rest = host[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }
                port = rest[1..];
            }
            if (Uri.CheckHostName(name) != UriHostNameType.IPv6)
            {
                return false;
            }
        }
        else
        {
            var colon = host.IndexOf(':');
            if (colon >= 0)
            {
                name = host[..colon];
                port = host[(colon + 1)..];
            }
            if (!HostPattern().IsMatch(name))
            {
                return false;
            }
        }
        return port is null
            || (port.All(char.IsAsciiDigit) && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 65535);
    }

    /// <summary>Loopback registries (127.0.0.0/8, localhost, [::1]) are spoken to over plain http.</summary>
    public bool IsLoopback
    {
        get
        {
            var host = Registry.StartsWith('[') ? Registry[..(Registry.IndexOf(']') + 1)] : Registry.Split(':')[0];
            return host == "localhost" || host == "[::1]" || host.StartsWith("127.", StringComparison.Ordinal);
        }
    }

    /// <summary>The canonical <c>host/repository</c>.</summary>
    public override string ToString() => $"{Registry}/{Repository}";

    private static string? Check(string? image, out string? registry, out string? repository)
    {
        registry = null;
        repository = null;
        if (string.IsNullOrWhiteSpace(image))
        {
            return "The image is empty; expected a repository such as quay.io/org/name.";
        }
        if (image.Any(char.IsWhiteSpace))
        {
            return $"The image '{image}' contains whitespace.";
        }
        if (image.Contains("://", StringComparison.Ordinal))
        {
            return $"The image '{image}' must not contain a URL scheme; write host/repository, e.g. quay.io/org/name.";
        }
        var at = image.IndexOf('@');
        if (at >= 0)
        {
            return $"The image '{image}' contains a digest ('{image[at..]}'); give the repository only, the digest is chosen by the promotion.";
        }
        var lastSlash = image.LastIndexOf('/');
        var tagColon = image.IndexOf(':', lastSlash + 1);
        if (tagColon >= 0)
        {
            return $"The image '{image}' contains a tag ('{image[tagColon..]}'); give the repository only, the tag is chosen by the promotion.";
        }

        // Docker's rule: the first component is a registry when it looks like a host (has '.' or ':', or is localhost).
        var slash = image.IndexOf('/');
        var first = slash < 0 ? null : image[..slash];
        string host;
        string path;
        if (first is not null && (first.Contains('.') || first.Contains(':') || first == "localhost" || first.StartsWith('[')))
        {
            host = first.ToLowerInvariant();
            path = image[(slash + 1)..];
            if (!IsValidRegistry(host))
            {
                return $"The image '{image}' names the registry '{first}', which is not a valid host[:port].";
            }
        }
        else
        {
            host = DockerHub;
            path = image;
        }
        if (DockerHubAliases.Contains(host))
        {
            host = DockerHub;
            if (!path.Contains('/') && path.Length > 0)
            {
                path = "library/" + path;
            }
        }
        if (path.Length == 0)
        {
            return $"The image '{image}' has no repository path after the registry '{host}'.";
        }
        if (!NamePattern().IsMatch(path))
        {
            return $"The image '{image}' has an invalid repository name '{path}': use lower-case letters and digits, "
                + "separated by '.', '_', '__' or '-', with '/' between path components.";
        }
        if (host.Length + 1 + path.Length > MaxNameLength)
        {
            return $"The image '{image}' is longer than {MaxNameLength} characters.";
        }
        registry = host;
        repository = path;
        return null;
    }

    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    // Host names as Docker's reference grammar has them (also covers IPv4): no '_', no leading or trailing '-'.
    [GeneratedRegex(@"^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();
}

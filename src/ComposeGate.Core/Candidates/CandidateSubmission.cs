using System.Text.Json;
using System.Text.RegularExpressions;
using ComposeGate.Candidates.Productmd;

namespace ComposeGate.Candidates;

/// <summary>
/// What a client POSTs to create a candidate, in one of three forms: a compose's metadata inline
/// (<c>composeinfo</c> + <c>rpms</c>), the <c>url</c> of a compose top directory, or an image pinned to a digest.
/// Read from the request stream without holding the whole body.
/// </summary>
public sealed partial record CandidateSubmission(ComposeMetadata? Compose, string? Url, ImageSubmission? Image)
{
    public static CandidateSubmission Read(Stream body)
    {
        using var tokens = new JsonTokens(body);
        if (!tokens.Next() || tokens.TokenType != JsonTokenType.StartObject)
        {
            throw new ProductmdException("$", "The body must be a JSON object.");
        }
        ComposeInfo? info = null;
        IReadOnlyList<ManifestRpm>? rpms = null;
        string? rpmsComposeId = null, url = null, image = null, tag = null, digest = null;
        List<string>? platforms = null;
        while (tokens.Next() && tokens.TokenType == JsonTokenType.PropertyName)
        {
            var name = tokens.Text!;
            var path = ProductmdReader.Key("$", name);
            tokens.Next();
            switch (name)
            {
                case "composeinfo":
                    info = ProductmdReader.ParseComposeInfo(tokens, path);
                    break;
                case "rpms":
                    rpms = ProductmdReader.ParseRpms(tokens, path, out var id);
                    rpmsComposeId = id;
                    break;
                case "url": url = String(tokens, path); break;
                case "image": image = String(tokens, path); break;
                case "tag": tag = String(tokens, path); break;
                case "digest": digest = String(tokens, path); break;
                case "platforms": platforms = Strings(tokens, path); break;
                default:
                    throw new ProductmdException(path, $"unknown property '{name}'; use composeinfo + rpms, url, or image + tag + digest.");
            }
        }
        ProductmdReader.EndOfDocument(tokens);

        var forms = (info is not null || rpms is not null ? 1 : 0) + (url is not null ? 1 : 0) + (image is not null || digest is not null ? 1 : 0);
        if (forms != 1)
        {
            throw new ProductmdException("$", forms == 0
                ? "Give a compose (composeinfo + rpms), the url of a compose, or an image (image + tag + digest)."
                : "Give only one of: a compose (composeinfo + rpms), a url, or an image.");
        }
        if (info is not null || rpms is not null)
        {
            if (info is null || rpms is null)
            {
                throw new ProductmdException(info is null ? "$.composeinfo" : "$.rpms", "is missing: a compose needs both composeinfo and rpms.");
            }
            return new CandidateSubmission(ProductmdReader.Combine(info, rpms, rpmsComposeId!, "$.rpms"), null, null);
        }
        if (url is not null)
        {
            return new CandidateSubmission(null, url, null);
        }
        return new CandidateSubmission(null, null, ImageSubmission.Validate(image, tag, digest, platforms));
    }

    private static string String(JsonTokens tokens, string path) =>
        tokens.TokenType == JsonTokenType.String ? tokens.Text! : throw new ProductmdException(path, "must be a string.");

    private static List<string> Strings(JsonTokens tokens, string path)
    {
        if (tokens.TokenType != JsonTokenType.StartArray)
        {
            throw new ProductmdException(path, "must be an array of strings.");
        }
        var values = new List<string>();
        while (tokens.Next() && tokens.TokenType != JsonTokenType.EndArray)
        {
            values.Add(String(tokens, $"{path}[{values.Count}]"));
        }
        return values;
    }
}

/// <summary>An image candidate: a repository and the digest that was tested, with the tag it was taken from.</summary>
public sealed partial record ImageSubmission(string Image, string? Tag, string Digest, IReadOnlyList<string> Platforms)
{
    /// <summary>The hex of the sha256 digest.</summary>
    public string DigestHex => Digest["sha256:".Length..];

    /// <summary>
    /// The candidate id: the repository's last path segment and the digest's first 12 hex digits, which is
    /// safe in URLs and branch names, e.g. <c>workspace-full-1f2e3d4c5b6a</c>.
    /// </summary>
    public string CandidateId => $"{Image[(Image.LastIndexOf('/') + 1)..]}-{DigestHex[..12]}";

    public static ImageSubmission Validate(string? image, string? tag, string? digest, IReadOnlyList<string>? platforms)
    {
        if (image is null || !ImageName().IsMatch(image))
        {
            throw new ProductmdException("$.image", $"'{image}' is not an image repository such as registry.example.com/team/app (lower-case, no tag or digest).");
        }
        if (tag is not null && !TagPattern().IsMatch(tag))
        {
            throw new ProductmdException("$.tag", $"'{tag}' is not a tag (letters, digits, '_', '.', '-', at most 128).");
        }
        if (digest is null || !DigestPattern().IsMatch(digest))
        {
            throw new ProductmdException("$.digest", $"'{digest}' is not a digest: 'sha256:' followed by 64 lower-case hex digits.");
        }
        var list = platforms ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            if (!PlatformPattern().IsMatch(list[i]))
            {
                throw new ProductmdException($"$.platforms[{i}]", $"'{list[i]}' is not a platform such as linux/amd64 or linux/arm64/v8.");
            }
        }
        return new ImageSubmission(image, tag, digest, list);
    }

    // The OCI distribution name grammar, with an optional registry host[:port] in front.
    [GeneratedRegex(@"^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex ImageName();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex(@"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")]
    private static partial Regex PlatformPattern();
}

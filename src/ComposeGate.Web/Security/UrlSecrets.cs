using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;

namespace ComposeGate.Web.Security;

/// <summary>
/// Hides the secrets a URL may carry before it is shown, logged or stored in plain view: the password of its
/// userinfo (<c>user:***@</c>), a lone userinfo token (<c>***@</c>), and the values of query (and fragment)
/// parameters whose names look secret (<c>?token=***</c>). Everything else is left exactly as written, so a masked
/// URL still says where it points, and masking a masked URL changes nothing.
/// </summary>
public static partial class UrlSecrets
{
    public const string Mask = "***";

    // Compared after lower-casing and dropping '-', '_' and '.': "X-Amz-Security-Token" is "xamzsecuritytoken".
    private static readonly string[] SecretNames =
    [
        "key", "apikey", "auth", "sig", "pwd", "passwd", "password", "secret", "signature", "credential", "credentials", "token",
        "jwt", "session", "sessionid",
    ];

    private static readonly string[] SecretEndings =
        ["token", "secret", "password", "passwd", "pwd", "key", "keyid", "signature", "sig", "credential", "credentials", "auth", "authorization"];

    /// <summary>
    /// The URL with its secrets masked. A local path comes back unchanged; so does any text without userinfo or a query,
    /// and a malformed URL is masked as far as it can be read (<c>user:pw@host</c> without a scheme too).
    /// </summary>
    [return: NotNullIfNotNull(nameof(url))]
    public static string? Apply(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return url;
        }
        var match = Authority().Match(url);
        var text = new StringBuilder(url.Length);
        text.Append(match.Groups["scheme"].Value);
        var authority = match.Groups["authority"].Value;
        // The last '@' ends the userinfo: an unescaped '@' inside a password must not leave its tail in view.
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            var colon = userInfo.IndexOf(':');
            text.Append(colon >= 0 ? userInfo[..colon] + ":" + Mask : Mask).Append('@');
        }
        text.Append(authority[(at + 1)..]);

        var rest = url[match.Length..];
        var hash = rest.IndexOf('#');
        var (beforeFragment, fragment) = hash >= 0 ? (rest[..hash], rest[(hash + 1)..]) : (rest, null);
        var question = beforeFragment.IndexOf('?');
        if (question >= 0)
        {
            text.Append(beforeFragment[..(question + 1)]).Append(MaskParameters(beforeFragment[(question + 1)..]));
        }
        else
        {
            text.Append(beforeFragment);
        }
        if (fragment is not null)
        {
            // OAuth's implicit flow puts tokens in the fragment (#access_token=…).
            text.Append('#').Append(MaskParameters(fragment));
        }
        return text.ToString();
    }

    /// <summary>Free text (an error, a log line, a message body) with every URL in it masked.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? ApplyWithin(string? text) =>
        string.IsNullOrEmpty(text) ? text : UrlInText().Replace(text, m => Apply(m.Value));

    /// <summary>Whether <paramref name="url"/> is a masked one: what is left of it cannot be used to fetch it.</summary>
    public static bool HasMaskedParts(string? url) => url is not null && MaskedPart().IsMatch(url);

    /// <summary>Whether a query parameter of this name carries a secret (case and separators ignored).</summary>
    public static bool IsSecretName(string name)
    {
        var plain = new StringBuilder(name.Length);
        foreach (var c in Uri.UnescapeDataString(name))
        {
            if (c is not ('-' or '_' or '.' or ' '))
            {
                plain.Append(char.ToLowerInvariant(c));
            }
        }
        var normal = plain.ToString();
        return normal.Length > 0 && (SecretNames.Contains(normal) || SecretEndings.Any(e => normal.EndsWith(e, StringComparison.Ordinal)));
    }

    private static string MaskParameters(string parameters)
    {
        var parts = parameters.Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var equals = parts[i].IndexOf('=');
            if (equals > 0 && IsSecretName(parts[i][..equals]))
            {
                parts[i] = parts[i][..(equals + 1)] + Mask;
            }
        }
        return string.Join('&', parts);
    }

    // [scheme://]authority, the authority ending at the first '/', '?' or '#' after its last '@' (empty for a local path).
    [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)?(?<authority>[^/?#]*@[^/?#@]*|[^/?#@]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Authority();

    [GeneratedRegex(@"(?://|:)\*\*\*@|=\*\*\*(?=[&#]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex MaskedPart();

    // A URL inside text ends at whitespace, a quote or an angle bracket, and does not take trailing punctuation.
    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.\-]*://[^\s""'<>`]+?(?=[.,;:!?)\]]*(?:[\s""'<>`]|$))", RegexOptions.CultureInvariant)]
    private static partial Regex UrlInText();
}

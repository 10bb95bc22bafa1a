using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ComposeGate.Candidates.Rpm;

/// <summary>An RPM's name, epoch, version, release and architecture.</summary>
/// <remarks>
/// Record equality compares the text of every part; to decide whether two builds of the same name
/// carry the same version, compare <see cref="Evr"/> with <see cref="Rpm.Evr.CompareTo"/>, not <c>==</c>
/// (see <see cref="Rpm.Evr"/>). The constructor does not validate; <see cref="Parse"/>/<see cref="TryParse"/> do.
/// </remarks>
public sealed record Nevra(string Name, int Epoch, string Version, string Release, string Arch)
{
    private const string RpmSuffix = ".rpm";

    /// <summary>The epoch, version and release.</summary>
    public Evr Evr => new(Epoch, Version, Release);

    /// <summary>True for source packages: arch <c>src</c> or <c>nosrc</c>.</summary>
    public bool IsSource => Arch is "src" or "nosrc";

    /// <summary>Formats as <c>name-epoch:version-release.arch</c>, always with the epoch (the productmd rpms.json key form).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}-{Epoch}:{Version}-{Release}.{Arch}");

    /// <summary>Parses a NEVRA in any of the forms <see cref="TryParse"/> accepts.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> is not a valid NEVRA; the message says why.</exception>
    public static Nevra Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out Nevra? nevra, out string? error))
        {
            throw new FormatException($"Invalid NEVRA '{text}': {error}.");
        }

        return nevra;
    }

    /// <summary>
    /// Parses a NEVRA. Accepted forms (following kobo's <c>parse_nvra</c>), each optionally preceded by
    /// directories (stripped up to the last <c>/</c>) and followed by <c>.rpm</c>:
    /// <c>name-epoch:version-release.arch</c> (productmd/koji),
    /// <c>name-version-release.arch</c> (epoch 0),
    /// <c>epoch:name-version-release.arch</c>,
    /// <c>name-version-release.arch:epoch</c>,
    /// <c>name-version-release.arch.rpm:epoch</c> and <c>name-version-release.arch:epoch.rpm</c>.
    /// </summary>
    /// <remarks>
    /// The string is split from the right: arch after the last <c>.</c>, release after the last
    /// <c>-</c>, version between the last two <c>-</c>; the name is everything before and may itself
    /// contain <c>-</c> and digits (<c>openmpi-1.10-1.10.2-2.el6.x86_64</c> has name <c>openmpi-1.10</c>).
    /// Errors: more than one <c>:</c>, an epoch that is not a non-negative integer fitting an
    /// <see cref="int"/>, a missing or empty name, epoch, version, release or arch, an arch containing
    /// <c>-</c>, a <c>:</c> anywhere but next to the epoch, whitespace or control characters.
    /// </remarks>
    /// <param name="text">The text to parse.</param>
    /// <param name="nevra">The parsed NEVRA, or null on failure.</param>
    /// <param name="error">Why parsing failed, or null on success.</param>
    public static bool TryParse(
        [NotNullWhen(true)] string? text,
        [NotNullWhen(true)] out Nevra? nevra,
        [NotNullWhen(false)] out string? error)
    {
        error = TryParseCore(text, out nevra, out _);
        return error is null;
    }

    /// <summary>
    /// Parses a productmd rpms.json key, which must be exactly <c>name-epoch:version-release.arch</c>
    /// with an explicit epoch (productmd writes <c>0:</c> too): no directories, no <c>.rpm</c> suffix,
    /// and the epoch after the name. Without a <c>:</c> the error is <c>missing epoch</c>.
    /// </summary>
    /// <param name="key">The rpms.json key.</param>
    /// <param name="nevra">The parsed NEVRA, or null on failure.</param>
    /// <param name="error">Why parsing failed, or null on success.</param>
    public static bool TryParseProductmdKey(
        [NotNullWhen(true)] string? key,
        [NotNullWhen(true)] out Nevra? nevra,
        [NotNullWhen(false)] out string? error)
    {
        nevra = null;
        if (string.IsNullOrEmpty(key))
        {
            error = "empty NEVRA";
            return false;
        }

        if (key.Contains('/'))
        {
            error = "a productmd key has no directories (expected name-epoch:version-release.arch)";
            return false;
        }

        if (key.EndsWith(RpmSuffix, StringComparison.Ordinal))
        {
            error = "a productmd key has no '.rpm' suffix (expected name-epoch:version-release.arch)";
            return false;
        }

        if (!key.Contains(':'))
        {
            error = "missing epoch (expected name-epoch:version-release.arch)";
            return false;
        }

        error = TryParseCore(key, out Nevra? parsed, out EpochPlacement placement);
        if (parsed is null)
        {
            error ??= "invalid NEVRA";
            return false;
        }

        if (placement != EpochPlacement.AfterName)
        {
            error = "the epoch must follow the name (expected name-epoch:version-release.arch)";
            return false;
        }

        nevra = parsed;
        return true;
    }

    private enum EpochPlacement
    {
        None,
        Prefix,
        AfterName,
        Suffix,
    }

    private static string? TryParseCore(string? text, out Nevra? nevra, out EpochPlacement placement)
    {
        nevra = null;
        placement = EpochPlacement.None;
        if (string.IsNullOrEmpty(text))
        {
            return "empty NEVRA";
        }

        if (Evr.ContainsWhitespaceOrControl(text))
        {
            return "contains whitespace or control characters";
        }

        ReadOnlySpan<char> s = text;
        int slash = s.LastIndexOf('/');
        if (slash >= 0)
        {
            s = s[(slash + 1)..];
        }

        int colon = s.IndexOf(':');
        if (colon >= 0 && s[(colon + 1)..].Contains(':'))
        {
            return "more than one ':'";
        }

        s = StripRpmSuffix(s);

        ReadOnlySpan<char> epochText = default;
        if (colon >= 0)
        {
            colon = s.IndexOf(':');
            ReadOnlySpan<char> left = s[..colon];
            ReadOnlySpan<char> right = s[(colon + 1)..];
            if (!right.Contains('-') || IsNegativeNumber(right))
            {
                // name-version-release.arch:epoch, name-version-release.arch.rpm:epoch (".rpm:epoch" handled here)
                // and name-version-release.arch:epoch.rpm (".rpm" already stripped above).
                placement = EpochPlacement.Suffix;
                epochText = right;
                s = StripRpmSuffix(left);
            }
            else if (!left.Contains('-') || IsNegativeNumber(left))
            {
                // epoch:name-version-release.arch
                placement = EpochPlacement.Prefix;
                epochText = left;
                s = right;
            }
            else
            {
                // name-epoch:version-release.arch: the ':' must end up inside the version part, below.
                placement = EpochPlacement.AfterName;
            }
        }

        if (s.IsEmpty)
        {
            return "missing name, version, release and arch";
        }

        int dot = s.LastIndexOf('.');
        if (dot < 0)
        {
            return "missing arch (expected name-version-release.arch)";
        }

        ReadOnlySpan<char> arch = s[(dot + 1)..];
        s = s[..dot];
        if (arch.IsEmpty)
        {
            return "empty arch";
        }

        if (arch.Contains('-'))
        {
            return $"missing arch (the text after the last '.', '{arch}', contains '-')";
        }

        int dash = s.LastIndexOf('-');
        if (dash < 0)
        {
            return "missing version and release (expected name-version-release.arch)";
        }

        ReadOnlySpan<char> release = s[(dash + 1)..];
        s = s[..dash];
        dash = s.LastIndexOf('-');
        if (dash < 0)
        {
            return "missing name or version (expected name-version-release.arch)";
        }

        ReadOnlySpan<char> version = s[(dash + 1)..];
        ReadOnlySpan<char> name = s[..dash];

        if (placement == EpochPlacement.AfterName)
        {
            int versionColon = version.IndexOf(':');
            if (versionColon < 0)
            {
                return "':' must separate the epoch from the version (name-epoch:version-release.arch)";
            }

            epochText = version[..versionColon];
            version = version[(versionColon + 1)..];
        }

        if (name.IsEmpty)
        {
            return "empty name";
        }

        if (version.IsEmpty)
        {
            return "empty version";
        }

        if (release.IsEmpty)
        {
            return "empty release";
        }

        int epoch = 0;
        if (placement != EpochPlacement.None)
        {
            string? epochError = Evr.TryParseEpoch(epochText, out epoch);
            if (epochError is not null)
            {
                return epochError;
            }
        }

        nevra = new Nevra(name.ToString(), epoch, version.ToString(), release.ToString(), arch.ToString());
        return null;
    }

    /// <summary>True for <c>-</c> followed by digits: a negative epoch, reported as such rather than split at its '-'.</summary>
    private static bool IsNegativeNumber(ReadOnlySpan<char> s) =>
        s.Length > 1 && s[0] == '-' && !s[1..].ContainsAnyExceptInRange('0', '9');

    private static ReadOnlySpan<char> StripRpmSuffix(ReadOnlySpan<char> s) =>
        s.EndsWith(RpmSuffix, StringComparison.Ordinal) ? s[..^RpmSuffix.Length] : s;
}

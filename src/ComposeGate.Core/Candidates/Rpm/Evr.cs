using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ComposeGate.Candidates.Rpm;

/// <summary>An RPM epoch, version and release, ordered the way rpm orders them.</summary>
/// <remarks>
/// <para>
/// <see cref="CompareTo"/> follows <c>rpmverCmp</c>/<c>rpm.labelCompare</c>: the epoch compares
/// as a number first, then the version, then the release, each with <see cref="RpmVersion.Compare(string, string)"/>.
/// An EVR written without an epoch has epoch 0 (rpm treats a missing epoch as "0").
/// </para>
/// <para>
/// <b>Equality is not rpm equivalence.</b> The compiler-generated <c>==</c>/<c>Equals</c> compare the
/// text: <c>0:1.01-1</c> and <c>0:1.1-1</c> are different records, yet rpm treats them as the same
/// version. Callers deciding whether a package is "unchanged" (or newer/older) must use
/// <see cref="CompareTo"/> (or <see cref="Comparer"/>) and test for 0, never <c>==</c>.
/// </para>
/// <para>
/// <c>default(Evr)</c> has null <see cref="Version"/> and <see cref="Release"/>; as in
/// <c>rpm.labelCompare</c>, a missing (null) value compares older than any present one.
/// Epochs are expected to be non-negative (parsing rejects anything else).
/// </para>
/// </remarks>
public readonly record struct Evr(int Epoch, string Version, string Release) : IComparable<Evr>
{
    /// <summary>Orders EVRs the way rpm does (see <see cref="CompareTo"/>).</summary>
    public static IComparer<Evr> Comparer { get; } = Comparer<Evr>.Create(static (x, y) => x.CompareTo(y));

    /// <summary>Compares epoch (numerically), then version, then release (each with rpmvercmp).</summary>
    /// <returns>1 if this EVR is newer, -1 if <paramref name="other"/> is newer, 0 if rpm treats them as equal.</returns>
    public int CompareTo(Evr other)
    {
        if (Epoch != other.Epoch)
        {
            return Epoch > other.Epoch ? 1 : -1;
        }

        int rc = CompareValues(Version, other.Version);
        return rc != 0 ? rc : CompareValues(Release, other.Release);
    }

    /// <summary>Formats as <c>epoch:version-release</c>, always with the epoch (e.g. <c>0:5.2.26-4.el10</c>).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Epoch}:{Version}-{Release}");

    /// <summary>
    /// Parses <c>[epoch:]version-release</c>. A missing epoch is 0; the release is the text after the
    /// <em>last</em> <c>-</c>.
    /// </summary>
    /// <remarks>
    /// Stricter than rpm's own <c>parseEVR</c>, because in ComposeGate an EVR always describes a built
    /// package: the release is required (rpm would accept <c>1.0</c> with no release), the epoch must
    /// be a non-negative integer that fits an <see cref="int"/> (rpm turns <c>:1.0-1</c> into epoch 0
    /// and reads <c>abc:1.0-1</c> as version <c>abc:1.0</c>; both are rejected here), the version may
    /// not contain <c>-</c>, no part may be empty, and whitespace or control characters are rejected.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> is not a valid EVR; the message says why.</exception>
    public static Evr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out Evr evr, out string? error))
        {
            throw new FormatException($"Invalid EVR '{text}': {error}.");
        }

        return evr;
    }

    /// <summary>Parses <c>[epoch:]version-release</c> (see <see cref="Parse"/> for the rules).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Evr evr) => TryParse(text, out evr, out _);

    /// <summary>Parses <c>[epoch:]version-release</c> (see <see cref="Parse"/> for the rules).</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="evr">The parsed EVR, or <c>default</c> on failure.</param>
    /// <param name="error">Why parsing failed (e.g. <c>missing release</c>), or null on success.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out Evr evr, [NotNullWhen(false)] out string? error)
    {
        evr = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty EVR";
            return false;
        }

        if (ContainsWhitespaceOrControl(text))
        {
            error = "contains whitespace or control characters";
            return false;
        }

        ReadOnlySpan<char> rest = text;
        int epoch = 0;
        int colon = rest.IndexOf(':');
        if (colon >= 0)
        {
            if (rest[(colon + 1)..].Contains(':'))
            {
                error = "more than one ':'";
                return false;
            }

            error = TryParseEpoch(rest[..colon], out epoch);
            if (error is not null)
            {
                return false;
            }

            rest = rest[(colon + 1)..];
        }

        int dash = rest.LastIndexOf('-');
        if (dash < 0)
        {
            error = "missing release (expected [epoch:]version-release)";
            return false;
        }

        ReadOnlySpan<char> version = rest[..dash];
        ReadOnlySpan<char> release = rest[(dash + 1)..];
        if (version.IsEmpty)
        {
            error = "empty version";
            return false;
        }

        if (release.IsEmpty)
        {
            error = "empty release";
            return false;
        }

        if (version.Contains('-'))
        {
            error = "version contains '-'";
            return false;
        }

        evr = new Evr(epoch, version.ToString(), release.ToString());
        error = null;
        return true;
    }

    /// <summary>rpm's <c>compare_values</c>: a missing value is older than a present one.</summary>
    private static int CompareValues(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        return RpmVersion.Compare(a, b);
    }

    /// <summary>Reads a non-negative decimal epoch; returns an error message, or null on success.</summary>
    internal static string? TryParseEpoch(ReadOnlySpan<char> text, out int epoch)
    {
        epoch = 0;
        if (text.IsEmpty)
        {
            return "empty epoch";
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return $"epoch '{text}' is not a non-negative integer";
            }
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out epoch))
        {
            return $"epoch '{text}' is out of range";
        }

        return null;
    }

    internal static bool ContainsWhitespaceOrControl(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}

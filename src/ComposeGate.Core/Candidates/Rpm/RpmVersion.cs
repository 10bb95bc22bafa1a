namespace ComposeGate.Candidates.Rpm;

/// <summary>
/// RPM's version-segment ordering (<c>rpmvercmp</c> from rpmio/rpmvercmp.cc), reproduced exactly.
/// </summary>
/// <remarks>
/// <para>
/// A string is read as a sequence of segments: maximal runs of ASCII digits (numeric) or of ASCII
/// letters (alpha). Every other character except <c>~</c> and <c>^</c> is a separator; separators
/// are all equivalent and a run of them counts as one, so <c>2_0 == 2.0</c> and <c>a+ == a_</c>.
/// Character classes are ASCII-only, so any non-ASCII character (in rpm: any byte of a multi-byte
/// UTF-8 sequence) is a separator as well.
/// </para>
/// <list type="bullet">
/// <item><c>~</c> sorts before everything, including the end of the string: <c>1.0~rc1 &lt; 1.0</c>.</item>
/// <item><c>^</c> sorts after the end of the string but before any further segment:
/// <c>1.0 &lt; 1.0^git1 &lt; 1.01</c>, and <c>1.0^git1~pre &lt; 1.0^git1</c>.</item>
/// <item>Numeric segments compare as numbers of any length (leading zeros ignored, no overflow):
/// <c>10.0001 == 10.1</c>.</item>
/// <item>Alpha segments compare ordinally and case-sensitively (<c>Z &lt; a</c>).</item>
/// <item>A numeric segment is newer than an alpha one (<c>xyz.4 &lt; 8</c>, <c>1.a &lt; 1.1</c>).</item>
/// <item>When all segments tie, the string with a segment left over is newer (<c>1.0a &gt; 1.0</c>),
/// but trailing separators do not count (<c>1.0. == 1.0</c>).</item>
/// </list>
/// <para>
/// Like the C implementation, a NUL character ends the string. The comparison allocates nothing.
/// </para>
/// </remarks>
public static class RpmVersion
{
    /// <summary>Compares two version (or release) strings the way <c>rpmvercmp</c> does.</summary>
    /// <returns>1 if <paramref name="a"/> is newer, -1 if <paramref name="b"/> is newer, 0 if rpm treats them as equal.</returns>
    /// <exception cref="ArgumentNullException">Either argument is null.</exception>
    public static int Compare(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Compare(a.AsSpan(), b.AsSpan());
    }

    /// <summary>Compares two version (or release) strings the way <c>rpmvercmp</c> does.</summary>
    /// <returns>1 if <paramref name="a"/> is newer, -1 if <paramref name="b"/> is newer, 0 if rpm treats them as equal.</returns>
    public static int Compare(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = UpToNul(a);
        b = UpToNul(b);

        // Identical strings are equal without further ado.
        if (a.SequenceEqual(b))
        {
            return 0;
        }

        int i = 0;
        int j = 0;
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && IsSeparator(a[i]))
            {
                i++;
            }

            while (j < b.Length && IsSeparator(b[j]))
            {
                j++;
            }

            bool aEnd = i >= a.Length;
            bool bEnd = j >= b.Length;
            char ca = aEnd ? '\0' : a[i];
            char cb = bEnd ? '\0' : b[j];

            // Tilde sorts before everything else, even the end of the string.
            if (ca == '~' || cb == '~')
            {
                if (ca != '~')
                {
                    return 1;
                }

                if (cb != '~')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            // Caret is like tilde, except that the end of the string sorts before it.
            if (ca == '^' || cb == '^')
            {
                if (aEnd)
                {
                    return -1;
                }

                if (bEnd)
                {
                    return 1;
                }

                if (ca != '^')
                {
                    return 1;
                }

                if (cb != '^')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            if (aEnd || bEnd)
            {
                break;
            }

            // a[i] is an ASCII letter or digit here: take the segment of that kind from both strings.
            int aStart = i;
            int bStart = j;
            if (char.IsAsciiDigit(ca))
            {
                while (i < a.Length && char.IsAsciiDigit(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsAsciiDigit(b[j]))
                {
                    j++;
                }

                // b has an alpha segment here: numeric is newer.
                if (j == bStart)
                {
                    return 1;
                }

                while (aStart < i && a[aStart] == '0')
                {
                    aStart++;
                }

                while (bStart < j && b[bStart] == '0')
                {
                    bStart++;
                }

                // Without leading zeros, the longer number is the bigger one.
                int aLength = i - aStart;
                int bLength = j - bStart;
                if (aLength != bLength)
                {
                    return aLength > bLength ? 1 : -1;
                }
            }
            else
            {
                while (i < a.Length && char.IsAsciiLetter(a[i]))
                {
                    i++;
                }

                while (j < b.Length && char.IsAsciiLetter(b[j]))
                {
                    j++;
                }

                // b has a numeric segment here: alpha is older.
                if (j == bStart)
                {
                    return -1;
                }
            }

            // Equal-length digit runs, or letters: ordinal comparison (ASCII, so it matches strcmp).
            int rc = a[aStart..i].SequenceCompareTo(b[bStart..j]);
            if (rc != 0)
            {
                return rc < 0 ? -1 : 1;
            }
        }

        // All segments compared equal; the side with a segment left over is newer.
        bool aDone = i >= a.Length;
        bool bDone = j >= b.Length;
        if (aDone && bDone)
        {
            return 0;
        }

        return aDone ? -1 : 1;
    }

    private static bool IsSeparator(char c) => !char.IsAsciiLetterOrDigit(c) && c != '~' && c != '^';

    private static ReadOnlySpan<char> UpToNul(ReadOnlySpan<char> s)
    {
        int nul = s.IndexOf('\0');
        return nul < 0 ? s : s[..nul];
    }
}

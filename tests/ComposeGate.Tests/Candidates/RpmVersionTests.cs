using ComposeGate.Candidates.Rpm;

namespace ComposeGate.Tests.Candidates;

public sealed class RpmVersionTests
{
    // Forty-digit numbers: far beyond long/ulong, so any implementation that parses segments as integers overflows.
    private const string FortyDigits = "1234567890123456789012345678901234567890";
    private const string FortyDigitsPlusOne = "1234567890123456789012345678901234567891";

    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("", "")]
    [InlineData("10.0001", "10.1")]
    [InlineData("001", "1")]
    [InlineData("0", "000")]
    [InlineData("1.00", "1.0")]
    [InlineData("2_0", "2.0")]
    [InlineData("a+", "a_")]
    [InlineData("1-0", "1.0")]
    [InlineData("1+0", "1_0")]
    [InlineData("1..0", "1.0")]
    [InlineData("1._+-0", "1.0")]
    [InlineData("1.0.", "1.0")]
    [InlineData(".1.0", "1.0")]
    [InlineData("", ".")]
    [InlineData("", "._+")]
    [InlineData("1~", "1.~")]
    [InlineData("1^", "1.^")]
    [InlineData("1.0~rc1", "1.0~rc.1")]
    [InlineData("1.0^git1", "1.0^git_01")]
    [InlineData("1é0", "1.0")]
    [InlineData("1αβ2", "1.2")]
    [InlineData("a😀b", "a.b")]
    [InlineData("ä", "")]
    [InlineData("0001234567890123456789012345678901234567890", FortyDigits)]
    [InlineData("1.0\0garbage", "1.0")]
    public void Compare_EquivalentVersions_ReturnsZero(string a, string b)
    {
        Assert.Equal(0, RpmVersion.Compare(a, b));
        Assert.Equal(0, RpmVersion.Compare(b, a));
    }

    [Theory]
    // plain numeric ordering
    [InlineData("1.0", "2.0")]
    [InlineData("1.0", "1.1")]
    [InlineData("9", "10")]
    [InlineData("09", "10")]
    [InlineData("9", "010")]
    [InlineData("2.0", "10")]
    [InlineData("1.9", "1.10")]
    [InlineData("el9", "el10")]
    [InlineData("el9_4", "el9_10")]
    [InlineData("fc39", "fc40")]
    [InlineData("5.2.26-4.el10", "5.2.26-10.el10")]
    // a segment left over wins; trailing separators do not count
    [InlineData("1.0", "1.0.1")]
    [InlineData("2.0", "2.0.1")]
    [InlineData("1.0.", "1.0.1")]
    [InlineData("1.0.0", "1.0.0.0")]
    [InlineData("1.0", "1.0a")]
    [InlineData("1.0", "1.0-1")]
    [InlineData("1.el10", "1.el10_0")]
    [InlineData("", "0")]
    [InlineData("", "a")]
    // numeric beats alpha
    [InlineData("a", "1")]
    [InlineData("xyz.4", "8")]
    [InlineData("1.a", "1.1")]
    [InlineData("1.a", "1.0")]
    [InlineData("1.0a", "1.0.1")]
    // alpha segments: ordinal and case-sensitive
    [InlineData("abc", "abd")]
    [InlineData("abc", "abcd")]
    [InlineData("Z", "a")]
    [InlineData("ABC", "abc")]
    [InlineData("1.0RC1", "1.0rc1")]
    // non-ASCII is a separator, never a letter
    [InlineData("1é", "1a")]
    [InlineData("ä", "a")]
    [InlineData("1.0ß", "1.0.0")]
    // tilde sorts before everything, end of string included
    [InlineData("1.0~rc1", "1.0")]
    [InlineData("1.0~rc1", "1.0~rc2")]
    [InlineData("1.0~~", "1.0~")]
    [InlineData("1.0~rc1~git", "1.0~rc1")]
    [InlineData("~", "")]
    [InlineData("1~", "1")]
    [InlineData("1.0~rc1", "1.0.a")]
    [InlineData("1.0~rc1^git1", "1.0")]
    [InlineData("1.0~a", "1.0~1")]
    // caret sorts after end of string but before any further segment
    [InlineData("1.0", "1.0^")]
    [InlineData("1.0^", "1.0^git1")]
    [InlineData("1.0^git1", "1.01")]
    [InlineData("1.0^git1", "1.0.1")]
    [InlineData("1.0^git1", "1.0a")]
    [InlineData("1.0^git1~pre", "1.0^git1")]
    [InlineData("1.0^git1", "1.0^git2")]
    [InlineData("1.0~rc1", "1.0~rc1^git1")]
    [InlineData("1.0^~", "1.0^")]
    [InlineData("1.0", "1.0^~")]
    [InlineData("1^", "1a")]
    [InlineData("1^1", "1.1")]
    [InlineData("1^a", "1^1")]
    [InlineData("", "^")]
    [InlineData("~", "^")]
    // digit runs longer than any integer type
    [InlineData(FortyDigits, FortyDigitsPlusOne)]
    [InlineData("99999999999999999999999999999999999999", "100000000000000000000000000000000000000")]
    [InlineData("9223372036854775807", "9223372036854775808")]
    [InlineData("18446744073709551615", "18446744073709551616")]
    [InlineData("1." + FortyDigits, "1." + FortyDigits + ".1")]
    public void Compare_OlderThenNewer_ReturnsMinusOneAndOneReversed(string older, string newer)
    {
        Assert.Equal(-1, RpmVersion.Compare(older, newer));
        Assert.Equal(1, RpmVersion.Compare(newer, older));
    }

    [Fact]
    public void Compare_AscendingChain_IsConsistentForEveryPair()
    {
        string[] chain =
        [
            "1.0~~", "1.0~rc1", "1.0~rc2", "1.0", "1.0^", "1.0^git1~pre", "1.0^git1", "1.0^git2",
            "1.0.0", "1.01", "1.1a", "1.2", "1.10", "2~", "2", "2.a", "2.0", FortyDigits,
        ];

        for (int i = 0; i < chain.Length; i++)
        {
            Assert.Equal(0, RpmVersion.Compare(chain[i], chain[i]));
            for (int j = i + 1; j < chain.Length; j++)
            {
                Assert.True(RpmVersion.Compare(chain[i], chain[j]) == -1, $"expected {chain[i]} < {chain[j]}");
                Assert.True(RpmVersion.Compare(chain[j], chain[i]) == 1, $"expected {chain[j]} > {chain[i]}");
            }
        }

        string[] shuffled = [.. chain.Reverse()];
        Array.Sort(shuffled, RpmVersion.Compare);
        Assert.Equal(chain, shuffled);
    }

    [Theory]
    [InlineData("a", "z")]
    [InlineData("1", "9")]
    [InlineData("A", "z")]
    [InlineData("1", "999999")]
    public void Compare_DistantValues_ReturnsExactlyMinusOneOrOne(string older, string newer)
    {
        Assert.Equal(-1, RpmVersion.Compare(older, newer));
        Assert.Equal(1, RpmVersion.Compare(newer, older));
    }

    [Theory]
    [InlineData("1.0~rc1", "1.0")]
    [InlineData("10.0001", "10.1")]
    [InlineData("1.0^git1", "1.01")]
    [InlineData("abc", "ABC")]
    public void Compare_SpanOverload_MatchesStringOverload(string a, string b)
    {
        Assert.Equal(RpmVersion.Compare(a, b), RpmVersion.Compare(a.AsSpan(), b.AsSpan()));
        Assert.Equal(RpmVersion.Compare(b, a), RpmVersion.Compare(b.AsSpan(), a.AsSpan()));
    }

    [Fact]
    public void Compare_NullArgument_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => RpmVersion.Compare(null!, "1"));
        Assert.Throws<ArgumentNullException>(() => RpmVersion.Compare("1", null!));
    }
}

public sealed class EvrTests
{
    [Fact]
    public void CompareTo_HigherEpoch_BeatsHigherVersionAndRelease()
    {
        var withEpoch = new Evr(1, "1.0", "1");
        var withoutEpoch = new Evr(0, "99.9", "99");

        Assert.Equal(1, withEpoch.CompareTo(withoutEpoch));
        Assert.Equal(-1, withoutEpoch.CompareTo(withEpoch));
    }

    [Fact]
    public void CompareTo_Epochs_CompareNumerically()
    {
        Assert.Equal(1, new Evr(10, "1.0", "1").CompareTo(new Evr(9, "1.0", "1")));
        Assert.Equal(-1, new Evr(2, "1.0", "1").CompareTo(new Evr(10, "1.0", "1")));
    }

    [Fact]
    public void CompareTo_HigherVersion_BeatsHigherRelease()
    {
        Assert.Equal(1, new Evr(0, "1.1", "1").CompareTo(new Evr(0, "1.0", "99")));
    }

    [Fact]
    public void CompareTo_SameEpochAndVersion_ComparesRelease()
    {
        Assert.Equal(-1, new Evr(0, "5.2.26", "4.el10").CompareTo(new Evr(0, "5.2.26", "10.el10")));
        Assert.Equal(1, new Evr(0, "5.2.26", "4.el10_1").CompareTo(new Evr(0, "5.2.26", "4.el10")));
    }

    [Fact]
    public void CompareTo_TildeInRelease_SortsBeforePlainRelease()
    {
        Assert.Equal(-1, new Evr(0, "1.0", "0.1~beta").CompareTo(new Evr(0, "1.0", "0.1")));
    }

    [Fact]
    public void CompareTo_RpmEquivalentText_ReturnsZeroButRecordsAreNotEqual()
    {
        var a = Evr.Parse("1.01-1");
        var b = Evr.Parse("1.1-01");

        Assert.Equal(0, a.CompareTo(b));
        Assert.Equal(0, Evr.Comparer.Compare(a, b));
        Assert.NotEqual(a, b);
        Assert.False(a == b);
    }

    [Fact]
    public void CompareTo_IdenticalEvrs_ReturnsZeroAndRecordsAreEqual()
    {
        var a = Evr.Parse("2:1.0-1.el10");
        var b = new Evr(2, "1.0", "1.el10");

        Assert.Equal(0, a.CompareTo(b));
        Assert.Equal(a, b);
    }

    [Fact]
    public void CompareTo_DefaultEvr_IsOlderThanEmptyStrings()
    {
        // As rpm.labelCompare: a missing (null) version or release is older than a present one.
        Assert.Equal(-1, default(Evr).CompareTo(new Evr(0, "", "")));
        Assert.Equal(1, new Evr(0, "", "").CompareTo(default));
        Assert.Equal(0, default(Evr).CompareTo(default));
    }

    [Fact]
    public void Comparer_UnsortedList_SortsInRpmOrder()
    {
        var expected = new[]
        {
            Evr.Parse("1.0~rc1-1"),
            Evr.Parse("1.0-1"),
            Evr.Parse("1.0-2"),
            Evr.Parse("1.0^git1-1"),
            Evr.Parse("1.1-1"),
            Evr.Parse("1:0.1-1"),
        };
        var list = expected.Reverse().ToList();

        list.Sort(Evr.Comparer);

        Assert.Equal(expected, list);
    }

    [Theory]
    [InlineData(0, "5.2.26", "4.el10", "0:5.2.26-4.el10")]
    [InlineData(2, "9.1.083", "5.el10", "2:9.1.083-5.el10")]
    [InlineData(10, "1.0~rc1", "0.1^git", "10:1.0~rc1-0.1^git")]
    public void ToString_AnyEvr_AlwaysShowsEpoch(int epoch, string version, string release, string expected)
    {
        Assert.Equal(expected, new Evr(epoch, version, release).ToString());
    }

    [Theory]
    [InlineData("5.2.26-4.el10", 0, "5.2.26", "4.el10")]
    [InlineData("0:5.2.26-4.el10", 0, "5.2.26", "4.el10")]
    [InlineData("2:9.1.083-5.el10", 2, "9.1.083", "5.el10")]
    [InlineData("007:1-1", 7, "1", "1")]
    [InlineData("1.0~rc1-0.1^git.el10_0", 0, "1.0~rc1", "0.1^git.el10_0")]
    [InlineData("2147483647:1-1", int.MaxValue, "1", "1")]
    public void Parse_ValidEvr_ReturnsParts(string text, int epoch, string version, string release)
    {
        Assert.Equal(new Evr(epoch, version, release), Evr.Parse(text));
        Assert.True(Evr.TryParse(text, out Evr evr));
        Assert.Equal(new Evr(epoch, version, release), evr);
    }

    [Theory]
    [InlineData("1.0", "missing release")]
    [InlineData("1:1.0", "missing release")]
    [InlineData("", "empty EVR")]
    [InlineData(":1.0-1", "empty epoch")]
    [InlineData("a:1.0-1", "not a non-negative integer")]
    [InlineData("-1:1.0-1", "not a non-negative integer")]
    [InlineData("+1:1.0-1", "not a non-negative integer")]
    [InlineData("2147483648:1.0-1", "out of range")]
    [InlineData("99999999999999999999:1.0-1", "out of range")]
    [InlineData("1:2:1.0-1", "more than one ':'")]
    [InlineData("1.0-", "empty release")]
    [InlineData("-1", "empty version")]
    [InlineData("1:-1", "empty version")]
    [InlineData("1.0-1-2", "version contains '-'")]
    [InlineData(" 1.0-1", "whitespace")]
    [InlineData("1.0-1\n", "whitespace")]
    public void Parse_InvalidEvr_ThrowsFormatExceptionWithReason(string text, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => Evr.Parse(text));
        Assert.Contains(reason, ex.Message);
        Assert.Contains($"'{text}'", ex.Message);

        Assert.False(Evr.TryParse(text, out Evr evr, out string? error));
        Assert.Contains(reason, error);
        Assert.Equal(default, evr);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(Evr.TryParse(null, out _));
        Assert.False(Evr.TryParse(null, out _, out string? error));
        Assert.Equal("empty EVR", error);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Evr.Parse(null!));
    }

    [Theory]
    [InlineData("0:5.2.26-4.el10")]
    [InlineData("3:1.0~rc1^git2-0.1.fc41")]
    public void Parse_ToStringOutput_RoundTrips(string text)
    {
        Assert.Equal(text, Evr.Parse(text).ToString());
    }
}

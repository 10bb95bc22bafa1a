using ComposeGate.Candidates.Rpm;

namespace ComposeGate.Tests.Candidates;

public sealed class NevraTests
{
    [Theory]
    // productmd/koji form, with the explicit epoch
    [InlineData("bash-0:5.2.26-4.el10.x86_64", "bash", 0, "5.2.26", "4.el10", "x86_64")]
    [InlineData("bash-1:5.2.26-4.el10.x86_64", "bash", 1, "5.2.26", "4.el10", "x86_64")]
    [InlineData("net-snmp-0:5.3.2.2-5.el5.i386", "net-snmp", 0, "5.3.2.2", "5.el5", "i386")]
    [InlineData("vim-enhanced-2:9.1.083-5.el10.aarch64", "vim-enhanced", 2, "9.1.083", "5.el10", "aarch64")]
    [InlineData("kernel-rt-debuginfo-0:6.12.0-55.9.1.el10_0.x86_64", "kernel-rt-debuginfo", 0, "6.12.0", "55.9.1.el10_0", "x86_64")]
    [InlineData("foo-007:1.0-1.x86_64", "foo", 7, "1.0", "1", "x86_64")]
    // no epoch: epoch 0
    [InlineData("bash-5.2.26-4.el10.x86_64", "bash", 0, "5.2.26", "4.el10", "x86_64")]
    [InlineData("glibc-2.39-17.el10.i686", "glibc", 0, "2.39", "17.el10", "i686")]
    [InlineData("bash-5.2.26-4.el10.src", "bash", 0, "5.2.26", "4.el10", "src")]
    [InlineData("foo-1.0~rc1-0.1^git.noarch", "foo", 0, "1.0~rc1", "0.1^git", "noarch")]
    // names with dashes and digits: split from the right
    [InlineData("openmpi-1.10-1.10.2-2.el6.x86_64", "openmpi-1.10", 0, "1.10.2", "2.el6", "x86_64")]
    [InlineData("python3-3.12.1-1.fc40.x86_64", "python3", 0, "3.12.1", "1.fc40", "x86_64")]
    [InlineData("perl-IO-Compress-2.201-5.el10.noarch", "perl-IO-Compress", 0, "2.201", "5.el10", "noarch")]
    [InlineData("gcc-c++-14.2.1-3.fc41.x86_64", "gcc-c++", 0, "14.2.1", "3.fc41", "x86_64")]
    [InlineData("openmpi-1.10-3:1.10.2-2.el6.x86_64", "openmpi-1.10", 3, "1.10.2", "2.el6", "x86_64")]
    // the other epoch placements kobo accepts
    [InlineData("1:bash-5.2.26-4.el10.x86_64", "bash", 1, "5.2.26", "4.el10", "x86_64")]
    [InlineData("bash-5.2.26-4.el10.x86_64:1", "bash", 1, "5.2.26", "4.el10", "x86_64")]
    [InlineData("bash-5.2.26-4.el10.x86_64.rpm:1", "bash", 1, "5.2.26", "4.el10", "x86_64")]
    [InlineData("bash-5.2.26-4.el10.x86_64:1.rpm", "bash", 1, "5.2.26", "4.el10", "x86_64")]
    [InlineData("12:perl-IO-Compress-2.201-5.el10.noarch", "perl-IO-Compress", 12, "2.201", "5.el10", "noarch")]
    // .rpm suffix and leading directories are stripped
    [InlineData("bash-5.2.26-4.el10.x86_64.rpm", "bash", 0, "5.2.26", "4.el10", "x86_64")]
    [InlineData("1:bash-5.2.26-4.el10.x86_64.rpm", "bash", 1, "5.2.26", "4.el10", "x86_64")]
    [InlineData("bash-1:5.2.26-4.el10.x86_64.rpm", "bash", 1, "5.2.26", "4.el10", "x86_64")]
    [InlineData("/mnt/compose/BaseOS/x86_64/os/Packages/b/bash-5.2.26-4.el10.x86_64.rpm", "bash", 0, "5.2.26", "4.el10", "x86_64")]
    [InlineData("Packages/b/bash-2:5.2.26-4.el10.x86_64.rpm", "bash", 2, "5.2.26", "4.el10", "x86_64")]
    [InlineData("/srv/a:b/bash-5.2.26-4.el10.src.rpm", "bash", 0, "5.2.26", "4.el10", "src")]
    public void Parse_ValidNevra_ReturnsParts(string text, string name, int epoch, string version, string release, string arch)
    {
        var expected = new Nevra(name, epoch, version, release, arch);

        Assert.Equal(expected, Nevra.Parse(text));
        Assert.True(Nevra.TryParse(text, out Nevra? nevra, out string? error));
        Assert.Equal(expected, nevra);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "empty NEVRA")]
    [InlineData("bash-1:2:5.2.26-4.el10.x86_64", "more than one ':'")]
    [InlineData("1:bash-5.2.26-4.el10.x86_64:1", "more than one ':'")]
    [InlineData("bash-x:5.2.26-4.el10.x86_64", "epoch 'x' is not a non-negative integer")]
    [InlineData("x:bash-5.2.26-4.el10.x86_64", "epoch 'x' is not a non-negative integer")]
    [InlineData("bash-5.2.26-4.el10.x86_64:x", "epoch 'x' is not a non-negative integer")]
    [InlineData("bash-1.5:5.2.26-4.el10.x86_64", "epoch '1.5' is not a non-negative integer")]
    [InlineData("bash-5.2.26-4.el10.x86_64:-1", "epoch '-1' is not a non-negative integer")]
    [InlineData("-1:bash-5.2.26-4.el10.x86_64", "epoch '-1' is not a non-negative integer")]
    [InlineData("bash-99999999999:5.2.26-4.el10.x86_64", "out of range")]
    [InlineData("bash-:5.2.26-4.el10.x86_64", "empty epoch")]
    [InlineData(":bash-5.2.26-4.el10.x86_64", "empty epoch")]
    [InlineData("bash-5.2.26-4.el10.x86_64:", "empty epoch")]
    [InlineData("bash-5.2.26-4", "missing arch")]
    [InlineData("bash-5-4", "missing arch")]
    [InlineData("bash-5.2.26-4.el10.", "empty arch")]
    [InlineData("bash-5.2.26.x86_64", "missing name or version")]
    [InlineData("bash.x86_64", "missing version and release")]
    [InlineData("-5.2.26-4.el10.x86_64", "empty name")]
    [InlineData("bash--4.el10.x86_64", "empty version")]
    [InlineData("bash-5.2.26-.x86_64", "empty release")]
    [InlineData("bash-0:-4.el10.x86_64", "empty version")]
    [InlineData("a-b:c-1-2.x86_64", "':' must separate the epoch from the version")]
    [InlineData("/compose/Packages/", "missing name, version, release and arch")]
    [InlineData("bash 5.2.26-4.el10.x86_64", "whitespace")]
    [InlineData("bash-5.2.26-4.el10.x86_64\n", "whitespace")]
    public void Parse_InvalidNevra_ThrowsFormatExceptionWithReason(string text, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => Nevra.Parse(text));
        Assert.Contains(reason, ex.Message);
        Assert.Contains($"'{text}'", ex.Message);

        Assert.False(Nevra.TryParse(text, out Nevra? nevra, out string? error));
        Assert.Null(nevra);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(Nevra.TryParse(null, out Nevra? nevra, out string? error));
        Assert.Null(nevra);
        Assert.Equal("empty NEVRA", error);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Nevra.Parse(null!));
    }

    [Theory]
    [InlineData("bash-5.2.26-4.el10.x86_64", "bash-0:5.2.26-4.el10.x86_64")]
    [InlineData("1:bash-5.2.26-4.el10.x86_64.rpm", "bash-1:5.2.26-4.el10.x86_64")]
    [InlineData("/p/openmpi-1.10-1.10.2-2.el6.x86_64.rpm:4", "openmpi-1.10-4:1.10.2-2.el6.x86_64")]
    [InlineData("perl-IO-Compress-0:2.201-5.el10.noarch", "perl-IO-Compress-0:2.201-5.el10.noarch")]
    public void ToString_AnyForm_IsProductmdKeyWithEpoch(string text, string expected)
    {
        Assert.Equal(expected, Nevra.Parse(text).ToString());
    }

    [Theory]
    [InlineData("src", true)]
    [InlineData("nosrc", true)]
    [InlineData("noarch", false)]
    [InlineData("x86_64", false)]
    [InlineData("SRC", false)]
    public void IsSource_Arch_TrueOnlyForSrcAndNosrc(string arch, bool expected)
    {
        Assert.Equal(expected, new Nevra("bash", 0, "5.2.26", "4.el10", arch).IsSource);
    }

    [Fact]
    public void Evr_ParsedNevra_CarriesEpochVersionRelease()
    {
        var nevra = Nevra.Parse("vim-enhanced-2:9.1.083-5.el10.aarch64");

        Assert.Equal(new Evr(2, "9.1.083", "5.el10"), nevra.Evr);
        Assert.Equal("2:9.1.083-5.el10", nevra.Evr.ToString());
    }

    [Fact]
    public void Evr_RpmEquivalentBuilds_CompareEqualButRecordsDiffer()
    {
        var a = Nevra.Parse("foo-1.01-1.x86_64");
        var b = Nevra.Parse("foo-0:1.1-1.x86_64");

        Assert.Equal(0, a.Evr.CompareTo(b.Evr));
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("bash-0:5.2.26-4.el10.x86_64", "bash", 0, "5.2.26", "4.el10", "x86_64")]
    [InlineData("openmpi-1.10-0:1.10.2-2.el6.x86_64", "openmpi-1.10", 0, "1.10.2", "2.el6", "x86_64")]
    [InlineData("gcc-c++-0:14.2.1-3.fc41.src", "gcc-c++", 0, "14.2.1", "3.fc41", "src")]
    [InlineData("vim-enhanced-2:9.1.083-5.el10.aarch64", "vim-enhanced", 2, "9.1.083", "5.el10", "aarch64")]
    public void TryParseProductmdKey_KeyWithEpoch_ReturnsParts(string key, string name, int epoch, string version, string release, string arch)
    {
        Assert.True(Nevra.TryParseProductmdKey(key, out Nevra? nevra, out string? error));
        Assert.Null(error);
        Assert.Equal(new Nevra(name, epoch, version, release, arch), nevra);
        Assert.Equal(key, nevra.ToString());
    }

    [Theory]
    [InlineData("bash-5.2.26-4.el10.x86_64", "missing epoch")]
    [InlineData("openmpi-1.10-1.10.2-2.el6.x86_64", "missing epoch")]
    [InlineData("1:bash-5.2.26-4.el10.x86_64", "the epoch must follow the name")]
    [InlineData("bash-5.2.26-4.el10.x86_64:1", "the epoch must follow the name")]
    [InlineData("bash-0:5.2.26-4.el10.x86_64.rpm", "no '.rpm' suffix")]
    [InlineData("Packages/b/bash-0:5.2.26-4.el10.x86_64", "no directories")]
    [InlineData("bash-x:5.2.26-4.el10.x86_64", "epoch 'x' is not a non-negative integer")]
    [InlineData("bash-0:0:5.2.26-4.el10.x86_64", "more than one ':'")]
    [InlineData("bash-0:5.2.26-4", "missing arch")]
    [InlineData("", "empty NEVRA")]
    public void TryParseProductmdKey_InvalidKey_ReturnsFalseWithReason(string key, string reason)
    {
        Assert.False(Nevra.TryParseProductmdKey(key, out Nevra? nevra, out string? error));
        Assert.Null(nevra);
        Assert.Contains(reason, error);
    }
}

using System.Text;
using ComposeGate.Candidates;
using ComposeGate.Candidates.Productmd;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.Tests.Candidates;

public sealed class ProductmdReaderTests
{
    private static readonly TestCompose Compose = new("CentOS-Stream-10-20261120.0",
    [
        new("bash", "0:5.2.26-4.el10", "bash", "bash-devel"),
        new("openmpi-1.10", "1:1.10.2-2.el10", "openmpi-1.10"),
    ]);

    [Fact]
    public void ReadComposeInfo_Pungi12_ReadsTheComposeAndRelease()
    {
        var info = ProductmdReader.ReadComposeInfo(Stream(Compose.ComposeInfoJson()));

        Assert.Equal("CentOS-Stream-10-20261120.0", info.Id);
        Assert.Equal("20261120", info.Date);
        Assert.Equal("production", info.Type);
        Assert.Equal(0, info.Respin);
        Assert.Equal("CentOS-Stream", info.ReleaseShort);
        Assert.Equal("10", info.ReleaseVersion);
        Assert.Equal(["BaseOS"], info.Variants);
    }

    [Fact]
    public void ReadRpms_ListsEveryRpmWithItsSourcePackage()
    {
        var rpms = ProductmdReader.ReadRpms(Stream(Compose.RpmsJson()), out var id);

        Assert.Equal(Compose.Id, id);
        Assert.Equal(Compose.RpmCount, rpms.Count);
        var devel = Assert.Single(rpms, r => r.Rpm.Name == "bash-devel" && r.ComposeArch == "aarch64");
        Assert.Equal("bash", devel.Source.Name);
        Assert.Equal("BaseOS", devel.Variant);
        Assert.Equal(RpmCategory.Binary, devel.Category);
        Assert.Equal("8483c65d", devel.SigKey);
        var openmpi = Assert.Single(rpms, r => r.Rpm.Name == "openmpi-1.10" && r.ComposeArch == "x86_64" && r.Category == RpmCategory.Binary);
        Assert.Equal(1, openmpi.Rpm.Epoch);
        Assert.Equal("1.10.2", openmpi.Rpm.Version);
        Assert.Equal(2, rpms.Count(r => r.Category == RpmCategory.Source && r.Source.Name == "bash"));
    }

    [Fact]
    public void ReadRpms_HeaderVersion10WithoutType_IsAccepted()
    {
        var json = Compose.RpmsJson().Replace("{\"type\":\"productmd.rpms\",\"version\":\"1.2\"}", "{\"version\":\"1.0\"}");

        Assert.Equal(Compose.RpmCount, ProductmdReader.ReadRpms(Stream(json), out _).Count);
    }

    [Theory]
    [InlineData("\"type\":\"productmd.rpms\",\"version\":\"1.2\"", "\"type\":\"productmd.images\",\"version\":\"1.2\"", "$.header.type", "unknown header type 'productmd.images'")]
    [InlineData("\"type\":\"productmd.rpms\",\"version\":\"1.2\"", "\"version\":\"1.1\"", "$.header.type", "is required from version 1.1")]
    [InlineData("\"version\":\"1.2\"", "\"version\":\"2.0\"", "$.header.version", "not supported")]
    [InlineData("\"version\":\"1.2\"", "\"version\":\"one\"", "$.header.version", "not a productmd version")]
    [InlineData("bash-0:5.2.26-4.el10.x86_64", "bash-5.2.26-4.el10.x86_64", "$.payload.rpms.BaseOS.x86_64['bash-0:5.2.26-4.el10.src']['bash-5.2.26-4.el10.x86_64']", "missing epoch")]
    [InlineData("\"x86_64\":{", "\"src\":{", "$.payload.rpms.BaseOS.src", "not a compose arch")]
    [InlineData("\"category\":\"source\"", "\"category\":\"binary\"", "$.payload.rpms.BaseOS.x86_64['bash-0:5.2.26-4.el10.src']['bash-0:5.2.26-4.el10.src'].category", "is a source RPM")]
    [InlineData("\"category\":\"binary\",\"path\":\"BaseOS/x86_64/os/Packages/b/bash.x86_64.rpm\"", "\"category\":\"source\",\"path\":\"BaseOS/x86_64/os/Packages/b/bash.x86_64.rpm\"", "$.payload.rpms.BaseOS.x86_64['bash-0:5.2.26-4.el10.src']['bash-0:5.2.26-4.el10.x86_64'].category", "cannot be 'source'")]
    [InlineData("\"category\":\"binary\",\"path\":\"BaseOS/x86_64/os/Packages/b/bash.x86_64.rpm\"", "\"category\":\"binary\",\"path\":42", "$.payload.rpms.BaseOS.x86_64['bash-0:5.2.26-4.el10.src']['bash-0:5.2.26-4.el10.x86_64'].path", "must be a string")]
    [InlineData("\"category\":\"binary\",\"path\":\"BaseOS/x86_64/os/Packages/b/bash.x86_64.rpm\"", "\"category\":\"binary\",\"path\":\"/etc/passwd\"", "$.payload.rpms.BaseOS.x86_64['bash-0:5.2.26-4.el10.src']['bash-0:5.2.26-4.el10.x86_64'].path", "must be relative")]
    [InlineData("\"category\":\"binary\",\"path\":\"BaseOS/x86_64/os/Packages/b/bash.x86_64.rpm\",\"sigkey\":\"8483c65d\"", "\"category\":\"binary\",\"path\":\"BaseOS/x86_64/os/Packages/b/bash.x86_64.rpm\",\"sigkey\":\"not-hex!\"", "$.payload.rpms.BaseOS.x86_64['bash-0:5.2.26-4.el10.src']['bash-0:5.2.26-4.el10.x86_64'].sigkey", "not a key id")]
    public void ReadRpms_MalformedOrInconsistent_NamesTheJsonPath(string find, string replace, string path, string reason)
    {
        var json = Compose.RpmsJson();
        Assert.Contains(find, json);

        var error = Assert.Throws<ProductmdException>(() => ProductmdReader.ReadRpms(Stream(ReplaceFirst(json, find, replace)), out _));

        Assert.Equal(path, error.Path);
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("\"respin\":0", "\"respin\":\"0\"", "$.payload.compose.respin", "must be an integer")]
    [InlineData("\"date\":\"20261120\"", "\"date\":\"2026-11-20\"", "$.payload.compose.date", "YYYYMMDD")]
    [InlineData("\"type\":\"production\"", "\"type\":\"weekly\"", "$.payload.compose.type", "not a compose type")]
    [InlineData("\"short\":\"CentOS-Stream\",", "", "$.payload.release.short", "is missing")]
    [InlineData("\"id\":\"CentOS-Stream-10-20261120.0\"", "\"id\":\"no date here\"", "$.payload.compose.id", "not a compose id")]
    public void ReadComposeInfo_Invalid_NamesTheJsonPath(string find, string replace, string path, string reason)
    {
        var json = Compose.ComposeInfoJson();
        Assert.Contains(find, json);

        var error = Assert.Throws<ProductmdException>(() => ProductmdReader.ReadComposeInfo(Stream(ReplaceFirst(json, find, replace))));

        Assert.Equal(path, error.Path);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void ReadRpms_TruncatedJson_IsRefusedAsMalformed()
    {
        var json = Compose.RpmsJson();

        var error = Assert.Throws<ProductmdException>(() => ProductmdReader.ReadRpms(Stream(json[..(json.Length / 2)]), out _));

        Assert.Equal("$", error.Path);
        Assert.Contains("malformed", error.Reason);
    }

    [Fact]
    public void Combine_RpmsOfAnotherCompose_IsInconsistent()
    {
        var info = ProductmdReader.ReadComposeInfo(Stream(Compose.ComposeInfoJson()));
        var other = new TestCompose("CentOS-Stream-10-20261121.0", Compose.Packages);
        var rpms = ProductmdReader.ReadRpms(Stream(other.RpmsJson()), out var id, "$.rpms");

        var error = Assert.Throws<ProductmdException>(() => ProductmdReader.Combine(info, rpms, id, "$.rpms"));

        Assert.Equal("$.rpms.payload.compose.id", error.Path);
    }

    [Fact]
    public void ReadRpms_LargeDocumentInSmallReads_ReadsEveryEntry()
    {
        // Thousands of entries and one value longer than the read buffer, delivered a few bytes at a time,
        // so tokens straddle every possible boundary.
        var packages = Enumerable.Range(0, 3000).Select(i => new TestPackage($"pkg{i}", $"{i % 3}:{i}.0~rc{i % 5}-{i % 7}.el10", $"pkg{i}", $"pkg{i}-libs")).ToList();
        var compose = new TestCompose("CentOS-Stream-10-20261122.0", packages);
        var longPath = new string('p', 200_000);
        var json = ReplaceFirst(compose.RpmsJson(), "\"path\":\"BaseOS/source/tree/Packages/p/pkg0.src.rpm\"", $"\"path\":\"{longPath}\"");

        var rpms = ProductmdReader.ReadRpms(new TrickleStream(Encoding.UTF8.GetBytes(json), 7), out _);

        Assert.Equal(compose.RpmCount, rpms.Count);
        Assert.Contains(rpms, r => r.Path == longPath);
        Assert.Equal("1:2998.0~rc3-2.el10", rpms.Last(r => r.Source.Name == "pkg2998").Source.Evr.ToString());
    }

    private static MemoryStream Stream(string json) => new(Encoding.UTF8.GetBytes(json));

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replace + text[(at + find.Length)..];
    }

    /// <summary>A stream that hands out at most a few bytes per read, like a slow network.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }
}

using System.Text;
using ComposeGate.Web.Bus;

namespace ComposeGate.Tests.Bus;

public sealed class PungiMessageTests
{
    private static (bool Ok, PungiMessage? Message, string Reason) Read(string body)
    {
        var ok = PungiMessage.TryRead(Encoding.UTF8.GetBytes(body), out var message, out var reason);
        return (ok, message, reason);
    }

    [Fact]
    public void TryRead_RealRawhideAnnouncement_ReadsIdStatusAndLocation()
    {
        var (ok, message, _) = Read("""
            {"status": "FINISHED_INCOMPLETE", "release_type": "ga", "compose_label": null, "compose_respin": 0,
             "compose_date": "20180426", "release_version": "Rawhide",
             "location": "http://kojipkgs.fedoraproject.org/compose/rawhide/Fedora-Rawhide-20180426.n.0/compose",
             "compose_type": "nightly", "release_is_layered": false, "release_name": "Fedora",
             "release_short": "Fedora", "compose_id": "Fedora-Rawhide-20180426.n.0"}
            """);

        Assert.True(ok);
        Assert.Equal("Fedora-Rawhide-20180426.n.0", message!.ComposeId);
        Assert.Equal("FINISHED_INCOMPLETE", message.Status);
        Assert.True(message.Finished);
        Assert.Equal(["http://kojipkgs.fedoraproject.org/compose/rawhide/Fedora-Rawhide-20180426.n.0"], message.ComposeDirectories());
    }

    [Fact]
    public void TryRead_FedmsgEnvelope_ReadsTheBodyUnderMsg()
    {
        var (ok, message, _) = Read("""{"topic": "org.fedoraproject.prod.pungi.compose.status.change", "msg": {"compose_id": "Fedora-28-20180425.0", "status": "STARTED", "location": "/srv/x/compose"}}""");

        Assert.True(ok);
        Assert.Equal("Fedora-28-20180425.0", message!.ComposeId);
        Assert.False(message.Finished);
    }

    [Fact]
    public void TryRead_MinimalStartedMessageWithoutLocation_IsReadable()
    {
        var (ok, message, _) = Read("""{"compose_id": "Fedora-Rawhide-20261121.n.0", "status": "STARTED"}""");

        Assert.True(ok);
        Assert.Null(message!.Location);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1, 2]", "a JSON array, not an object")]
    [InlineData("""{"status": "FINISHED", "location": "/srv/c"}""", "$.compose_id")]
    [InlineData("""{"compose_id": 7, "status": "FINISHED", "location": "/srv/c"}""", "$.compose_id")]
    [InlineData("""{"compose_id": "../../etc", "status": "FINISHED", "location": "/srv/c"}""", "is not a compose id")]
    [InlineData("""{"compose_id": "Fedora-1", "location": "/srv/c"}""", "$.status")]
    [InlineData("""{"compose_id": "Fedora-1", "status": "FINISHED"}""", "$.location: a FINISHED announcement must say where")]
    [InlineData("""{"compose_id": "Fedora-1", "status": "FINISHED", "location": "ftp://mirror/c"}""", "neither an http(s) URL nor an absolute path")]
    [InlineData("""{"compose_id": "Fedora-1", "status": "FINISHED", "location": "relative/c"}""", "neither an http(s) URL nor an absolute path")]
    public void TryRead_NotAnAnnouncement_GivesTheReason(string body, string reason)
    {
        var (ok, message, why) = Read(body);

        Assert.False(ok);
        Assert.Null(message);
        Assert.Contains(reason, why);
    }

    [Fact]
    public void TryRead_HugeBody_IsRefusedWithoutParsing()
    {
        var (ok, _, reason) = Read(new string(' ', PungiMessage.MaxBody + 1));

        Assert.False(ok);
        Assert.Contains("at most", reason);
    }

    [Fact]
    public void ComposeDirectories_LatestLink_PrefersTheComposesOwnFolderBesideIt()
    {
        var message = new PungiMessage("Fedora-28-20180425.0", "FINISHED", "https://kojipkgs.fedoraproject.org/compose/28/latest-Fedora-28/compose/");

        Assert.Equal(["https://kojipkgs.fedoraproject.org/compose/28/Fedora-28-20180425.0", "https://kojipkgs.fedoraproject.org/compose/28/latest-Fedora-28"],
            message.ComposeDirectories());
    }

    [Fact]
    public void ComposeDirectories_TopDirectoryGiven_IsUsedAsItIs()
    {
        var message = new PungiMessage("Fedora-Rawhide-20261121.n.0", "FINISHED", "/srv/composes/Fedora-Rawhide-20261121.n.0");

        Assert.Equal(["/srv/composes/Fedora-Rawhide-20261121.n.0"], message.ComposeDirectories());
    }

    [Theory]
    [InlineData("org.fedoraproject.prod.pungi.compose.status.change", true)]
    [InlineData("org.fedoraproject.stg.pungi.compose.status.change", true)]
    [InlineData("pungi.compose.status.change", true)]
    [InlineData("org.fedoraproject.prod.pungi.compose.phase.start", false)]
    [InlineData("org.fedoraproject.prod.xpungi.compose.status.change", false)]
    public void IsStatusChange_AnyTopicPrefix(string topic, bool expected) =>
        Assert.Equal(expected, PungiMessage.IsStatusChange(topic));

    [Fact]
    public void IdOf_WithoutMessageId_IsTheSameForTheSameMessageAndDiffersOtherwise()
    {
        var body = Encoding.UTF8.GetBytes("""{"compose_id": "a", "status": "FINISHED"}""");
        var other = Encoding.UTF8.GetBytes("""{"compose_id": "a", "status": "STARTED"}""");

        Assert.Equal(PungiMessage.IdOf(null, "t", body), PungiMessage.IdOf("", "t", body));
        Assert.NotEqual(PungiMessage.IdOf(null, "t", body), PungiMessage.IdOf(null, "t", other));
        Assert.NotEqual(PungiMessage.IdOf(null, "t", body), PungiMessage.IdOf(null, "u", body));
        Assert.Equal("5b0c-uuid", PungiMessage.IdOf("5b0c-uuid", "t", body));
        Assert.StartsWith("sha256:", PungiMessage.IdOf(new string('x', 300), "t", body));
    }
}

using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Sources;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Sources;

public sealed class SourcePollerTests : IDisposable
{
    private static readonly TestPackage[] Packages = [new("bash", "0:5.2.26-4.el10", "bash"), new("glibc", "0:2.39-10.el10", "glibc")];
    private readonly string production = Path.Combine(Path.GetTempPath(), "composegate-production", Guid.NewGuid().ToString("N"));

    public SourcePollerTests() => Directory.CreateDirectory(production);

    public void Dispose() => Directory.Delete(production, recursive: true);

    [Fact]
    public async Task Poll_DirectoryOfComposes_IngestsFinishedOnesAndWaitsForRunningOnes()
    {
        new TestCompose("CentOS-Stream-10-20261119.0", Packages).WriteTo(production);
        var running = new TestCompose("CentOS-Stream-10-20261120.0", Packages).WriteTo(production, "STARTED");
        new TestCompose("CentOS-Stream-10-20261118.0", Packages).WriteTo(production, "DOOMED");
        File.CreateSymbolicLink(Path.Combine(production, "latest-CentOS-Stream"), running);
        using var app = Configure(new ComposeGateFactory(), "cs10", production);
        var poller = app.Services.GetRequiredService<SourcePoller>();

        var first = await poller.PollAsync("cs10", CancellationToken.None);

        Assert.Contains("ingested CentOS-Stream-10-20261119.0", first);
        Assert.Contains("STATUS STARTED", first);
        Assert.Equal(["CentOS-Stream-10-20261119.0"], await CandidatesAsync(app, "cs10"));

        File.WriteAllText(Path.Combine(running, "STATUS"), "FINISHED\n");
        var second = await poller.PollAsync("cs10", CancellationToken.None);

        Assert.Contains("ingested CentOS-Stream-10-20261120.0", second);
        Assert.Equal(["CentOS-Stream-10-20261119.0", "CentOS-Stream-10-20261120.0"], await CandidatesAsync(app, "cs10"));
        var poll = await app.WithDbAsync(db => db.SourcePolls.SingleAsync());
        Assert.Equal(0, poll.ConsecutiveFailures);
        Assert.Equal(app.Clock.GetUtcNow(), poll.LastSuccessAt);
    }

    [Fact]
    public async Task Poll_SingleComposeUrlOverHttp_IngestsItOnce()
    {
        new TestCompose("Fedora-Rawhide-20261120.n.0", Packages).WriteTo(production);
        await using var mirror = await StaticFileServer.StartAsync(production);
        using var app = Configure(new ComposeGateFactory(), "rawhide", new Uri(mirror.Address, "Fedora-Rawhide-20261120.n.0/").ToString());
        var poller = app.Services.GetRequiredService<SourcePoller>();

        var first = await poller.PollAsync("rawhide", CancellationToken.None);
        var second = await poller.PollAsync("rawhide", CancellationToken.None);

        Assert.Contains("ingested Fedora-Rawhide-20261120.n.0", first);
        Assert.Equal("Nothing new.", second);
        Assert.Equal(["Fedora-Rawhide-20261120.n.0"], await CandidatesAsync(app, "rawhide"));
    }

    [Fact]
    public async Task Poll_DirectoryListingOverHttp_FindsTheComposes()
    {
        new TestCompose("CentOS-Stream-10-20261119.0", Packages).WriteTo(production);
        new TestCompose("CentOS-Stream-10-20261120.0", Packages).WriteTo(production);
        await using var mirror = await StaticFileServer.StartAsync(production);
        using var app = Configure(new ComposeGateFactory(), "cs10", mirror.Address.ToString());

        await app.Services.GetRequiredService<SourcePoller>().PollAsync("cs10", CancellationToken.None);

        Assert.Equal(["CentOS-Stream-10-20261119.0", "CentOS-Stream-10-20261120.0"], await CandidatesAsync(app, "cs10"));
    }

    [Fact]
    public async Task Poll_UnreachableSource_IsRecordedAndRetriedOnTheNextTick()
    {
        var missing = Path.Combine(production, "not-yet");
        using var app = Configure(new ComposeGateFactory(), "cs10", missing);
        var poller = app.Services.GetRequiredService<SourcePoller>();

        await poller.PollAsync("cs10", CancellationToken.None);
        await poller.PollAsync("cs10", CancellationToken.None);
        var failing = await app.WithDbAsync(db => db.SourcePolls.AsNoTracking().SingleAsync());

        Assert.Equal(2, failing.ConsecutiveFailures);
        Assert.Contains("not-yet", failing.LastError);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == "source.failed")));

        new TestCompose("CentOS-Stream-10-20261121.0", Packages).WriteTo(missing);
        await poller.PollAsync("cs10", CancellationToken.None);
        var recovered = await app.WithDbAsync(db => db.SourcePolls.AsNoTracking().SingleAsync());

        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Null(recovered.LastError);
        Assert.Equal(["CentOS-Stream-10-20261121.0"], await CandidatesAsync(app, "cs10"));
    }

    [Fact]
    public async Task Poll_MalformedCompose_IsRecordedAsAFailureNamingIt()
    {
        var dir = new TestCompose("CentOS-Stream-10-20261122.0", Packages).WriteTo(production);
        File.WriteAllText(Path.Combine(dir, "compose", "metadata", "rpms.json"), "{\"header\":");
        using var app = Configure(new ComposeGateFactory(), "cs10", production);

        await app.Services.GetRequiredService<SourcePoller>().PollAsync("cs10", CancellationToken.None);

        var poll = await app.WithDbAsync(db => db.SourcePolls.AsNoTracking().SingleAsync());
        Assert.Equal(1, poll.ConsecutiveFailures);
        Assert.Contains("CentOS-Stream-10-20261122.0", poll.LastError);
        Assert.Empty(await CandidatesAsync(app, "cs10"));
    }

    [Fact]
    public void Startup_InvalidSchedule_FailsWithEveryErrorListed()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Streams:cs10:Source:ComposeUrl"] = "relative/path";
        app.Settings["ComposeGate:Streams:cs10:Source:Schedule"] = "every night";

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        var message = error.ToString();
        Assert.Contains("is neither an http(s) URL nor an absolute path", message);
        Assert.Contains("is not a cron schedule", message);
    }

    [Theory]
    [InlineData("CentOS-Stream-10-20261120.0", "20261120", 3, 0)]
    [InlineData("Fedora-Rawhide-20261120.n.1", "20261120", 2, 1)]
    [InlineData("latest-CentOS-Stream", null, 0, 0)]
    [InlineData("README", null, 0, 0)]
    public void ComposeOrder_ReadsDateTypeAndRespin(string name, string? date, int type, int respin)
    {
        var order = SourcePoller.ComposeOrder(name);

        Assert.Equal(date is null ? null : (date, type, respin), order);
    }

    private static ComposeGateFactory Configure(ComposeGateFactory app, string stream, string location)
    {
        app.Settings[$"ComposeGate:Streams:{stream}:Source:ComposeUrl"] = location;
        // A valid schedule that never fires during a test: the tests call the poller themselves.
        app.Settings[$"ComposeGate:Streams:{stream}:Source:Schedule"] = "0 0 0 29 2 ?";
        return app;
    }

    private static Task<List<string>> CandidatesAsync(ComposeGateFactory app, string stream) =>
        app.WithDbAsync(db => db.Candidates.Where(c => c.Stream.Name == stream).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync());
}

public sealed class SourceScheduleTests : IDisposable
{
    private readonly string production = Path.Combine(Path.GetTempPath(), "composegate-scheduled", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(production, recursive: true);

    [Fact]
    public async Task Schedule_HangfireFiresThePoll_AndANewComposeBecomesACandidateByItself()
    {
        new TestCompose("CentOS-Stream-10-20261125.0", [new("bash", "0:5.2.26-4.el10", "bash")]).WriteTo(production);
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Streams:scheduled:Source:ComposeUrl"] = production;
        app.Settings["ComposeGate:Streams:scheduled:Source:Schedule"] = "0/1 * * * * ?";
        app.CreateClient().Dispose();

        // Wait for the scheduler (a condition, not a time limit on the code under test).
        var found = false;
        for (var attempt = 0; attempt < 120 && !found; attempt++)
        {
            await Task.Delay(250);
            found = await app.WithDbAsync(db => db.Candidates.AnyAsync(c => c.Id == "CentOS-Stream-10-20261125.0"));
        }

        Assert.True(found, "The scheduled poll did not ingest the compose within 30 s.");
        Assert.Equal("system", await app.WithDbAsync(db => db.Candidates.Where(c => c.Id == "CentOS-Stream-10-20261125.0").Select(c => c.CreatedBy).SingleAsync()));
    }
}

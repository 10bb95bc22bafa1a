using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Tests.Promotion.Registry;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Promotion.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Security;

/// <summary>
/// Compose URLs name servers and paths the caller chose. Against a mirror that answers with endless, trickled, lying
/// or redirected documents, and against local paths outside the allowed roots, the API answers a quick 422 that
/// repeats nothing the server sent, and stores nothing.
/// </summary>
public sealed class HostileMirrorTests(HostileMirrorTests.Setup setup) : IClassFixture<HostileMirrorTests.Setup>
{
    private const int TimeoutSeconds = 3;
    private const int MaxMetadataBytes = 64 * 1024;
    private const string Stream = "hostile";
    private const string Secret = "s3cr3t-w0rd";
    private static readonly TestPackage[] Packages = [new("bash", "0:5.2.26-4.el10", "bash")];

    /// <summary>One mirror, one allowed root and one app with short limits for the whole class.</summary>
    public sealed class Setup : IAsyncLifetime
    {
        public HostileMirror Mirror { get; private set; } = null!;
        public ComposeGateFactory App { get; } = new();
        public string Root { get; } = Path.Combine(Path.GetTempPath(), "composegate-hostile", Guid.NewGuid().ToString("N"), "root");
        public string Outside => Path.Combine(Path.GetDirectoryName(Root)!, "outside");

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(Root);
            Directory.CreateDirectory(Outside);
            Mirror = await HostileMirror.StartAsync();
            App.Settings["ComposeGate:Sources:TimeoutSeconds"] = TimeoutSeconds.ToString();
            App.Settings["ComposeGate:Sources:ConnectTimeoutSeconds"] = "2";
            App.Settings["ComposeGate:Sources:MaxMetadataBytes"] = MaxMetadataBytes.ToString();
            App.Settings["ComposeGate:Sources:AllowedRoots:0"] = Root;
            App.Settings["ComposeGate:Streams:indexed:Source:ComposeUrl"] = Mirror.Url("/index/");
            App.Settings["ComposeGate:Streams:indexed:Source:Schedule"] = "0 0 0 29 2 ?";
            using var admin = App.CreateAdminClient();
            await admin.CreateStreamAsync(Stream);
        }

        public async Task DisposeAsync()
        {
            await Mirror.DisposeAsync();
            App.Dispose();
            Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);
        }
    }

    private HostileMirror Mirror => setup.Mirror;
    private ComposeGateFactory App => setup.App;

    [Fact]
    public async Task Submit_OrdinaryComposeOnTheMirror_IsIngested()
    {
        var compose = new TestCompose("CentOS-Stream-10-20261201.0", Packages);
        Mirror.Compose("plain", compose);

        var response = await SubmitAsync(Mirror.Url("/plain/"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Submit_RedirectOnTheSameHostAndPort_IsFollowed()
    {
        var compose = new TestCompose("CentOS-Stream-10-20261202.0", Packages);
        Mirror.Compose("real", compose);
        foreach (var file in new[] { "STATUS", "compose/metadata/composeinfo.json", "compose/metadata/rpms.json" })
        {
            Mirror.Redirect($"/moved/{file}", $"/real/{file}", StatusCodes.Status301MovedPermanently);
        }

        var response = await SubmitAsync(Mirror.Url("/moved/"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Submit_EndlessStatus_Is422AtOnceAndTheMirrorStopsBeingRead()
    {
        Mirror.Endless("/endless/STATUS", 300L * 1024 * 1024);

        var (problem, elapsed) = await RefusedAsync(Mirror.Url("/endless/"));

        Assert.Contains("STATUS is larger than 1 KiB", problem.Detail);
        Assert.True(elapsed < TimeSpan.FromSeconds(TimeoutSeconds), $"Took {elapsed}.");
        await AssertStopsSendingAsync("/endless/STATUS");
    }

    [Fact]
    public async Task Submit_StatusTrickledAByteASecond_TimesOutAfterTheLimit()
    {
        Mirror.Trickle("/trickle/STATUS", "FINISHED\n", TimeSpan.FromSeconds(1));

        var (problem, elapsed) = await RefusedAsync(Mirror.Url("/trickle/"));

        Assert.Contains($"timed out after {TimeoutSeconds} s", problem.Detail);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(TimeoutSeconds - 0.5), TimeSpan.FromSeconds(TimeoutSeconds + 5));
    }

    [Fact]
    public async Task Submit_HugeContentLength_IsRefusedBeforeAnyBodyIsRead()
    {
        Mirror.ClaimLength("/claims/STATUS", 300_000_000_000);

        var (problem, elapsed) = await RefusedAsync(Mirror.Url("/claims/"));

        Assert.Contains("STATUS is larger than 1 KiB", problem.Detail);
        // The body never comes: only refusing on the header answers before the time limit.
        Assert.True(elapsed < TimeSpan.FromSeconds(TimeoutSeconds - 1), $"Took {elapsed}.");
    }

    [Theory]
    [InlineData("port", "redirect to another port refused")]
    [InlineData("host", "redirect to another host refused")]
    [InlineData("file", "redirect to a local file refused")]
    [InlineData("ftp", "redirect to a URL that is not http(s) refused")]
    [InlineData("garbage", "redirect without a usable Location refused")]
    [InlineData("loop", "more than 5 redirects refused")]
    public async Task Submit_RedirectOffTheMirror_Is422NamingTheRule(string kind, string rule)
    {
        var folder = $"/redirect-{kind}/";
        var location = kind switch
        {
            "port" => $"http://127.0.0.1:{AppProcess.FreePort()}/STATUS",
            // The same server under another name: only the host name differs.
            "host" => $"http://localhost:{Mirror.Address.Port}/plain/STATUS",
            "file" => "file:///etc/passwd",
            "ftp" => $"ftp://127.0.0.1:{Mirror.Address.Port}/STATUS",
            "garbage" => "http://[::1",
            _ => $"{folder}STATUS",
        };
        Mirror.Redirect($"{folder}STATUS", location);

        var (problem, elapsed) = await RefusedAsync(Mirror.Url(folder));

        Assert.Contains(rule, problem.Detail);
        Assert.Contains(Mirror.Url($"{folder}STATUS"), problem.Detail);
        Assert.True(elapsed < TimeSpan.FromSeconds(TimeoutSeconds), $"Took {elapsed}.");
        if (kind == "file")
        {
            Assert.DoesNotContain("root:", problem.Detail);
        }
    }

    [Fact]
    public async Task Submit_StatusHoldingASecret_DoesNotRepeatIt()
    {
        Mirror.Text("/secret-status/STATUS", $"FINISHED {Secret}\n");

        var (problem, _) = await RefusedAsync(Mirror.Url("/secret-status/"));

        Assert.Contains("is not FINISHED", problem.Detail);
        Assert.DoesNotContain(Secret, problem.Detail);
    }

    [Fact]
    public async Task Submit_ErrorWithTheServersOwnReasonPhraseAndBody_GivesTheStandardPhraseOnly()
    {
        Mirror.Fail("/failing/STATUS", StatusCodes.Status403Forbidden, $"Nope {Secret}", $"<h1>{Secret}</h1>");

        var (problem, _) = await RefusedAsync(Mirror.Url("/failing/"));

        Assert.Contains("answered 403 Forbidden", problem.Detail);
        Assert.DoesNotContain(Secret, problem.Detail);
    }

    [Fact]
    public async Task Submit_FetchedMetadataWithABadValue_NamesThePathWithoutTheValue()
    {
        var compose = new TestCompose("CentOS-Stream-10-20261203.0", Packages);
        Mirror.Compose("bad-value", compose);
        Mirror.Text("/bad-value/compose/metadata/composeinfo.json", compose.ComposeInfoJson().Replace("\"production\"", $"\"{Secret}\""));

        var response = await SubmitAsync(Mirror.Url("/bad-value/"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        var reason = Assert.Single(problem.Errors["$.composeinfo.payload.compose.type"]);
        Assert.Contains("is not a compose type", reason);
        Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
        Assert.False(await CandidateExistsAsync(compose.Id));
    }

    [Fact]
    public async Task Submit_InlineMetadataWithABadValue_StillQuotesTheCallersOwnValue()
    {
        var compose = new TestCompose("CentOS-Stream-10-20261204.0", Packages);
        using var admin = App.CreateAdminClient();

        var response = await admin.PostAsync($"/api/v1/streams/{Stream}/candidates",
            new StringContent(compose.Body().Replace("\"production\"", "\"weekly\""), System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'weekly' is not a compose type", Assert.Single(problem.Errors["$.composeinfo.payload.compose.type"]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Submit_MetadataOverTheCap_Is422NamingTheSetting(bool withContentLength)
    {
        var compose = new TestCompose($"CentOS-Stream-10-20261205.{(withContentLength ? 1 : 2)}", Packages);
        var folder = $"big-metadata-{withContentLength}";
        Mirror.Compose(folder, compose);
        var rpms = $"/{folder}/compose/metadata/rpms.json";
        if (withContentLength)
        {
            Mirror.ClaimLength(rpms, MaxMetadataBytes + 1);
        }
        else
        {
            Mirror.Endless(rpms, 300L * 1024 * 1024, (byte)' ');
        }

        var (problem, elapsed) = await RefusedAsync(Mirror.Url($"/{folder}/"));

        Assert.Contains("rpms.json exceeds the 64 KiB cap (ComposeGate:Sources:MaxMetadataBytes)", problem.Detail);
        Assert.True(elapsed < TimeSpan.FromSeconds(TimeoutSeconds), $"Took {elapsed}.");
        Assert.False(await CandidateExistsAsync(compose.Id));
        if (!withContentLength)
        {
            await AssertStopsSendingAsync(rpms);
        }
    }

    [Fact]
    public async Task Poll_HugeIndexPage_FailsTheCheckQuicklyAndStoresNothing()
    {
        Mirror.Endless("/index/", 300L * 1024 * 1024, (byte)'<');
        var poller = App.Services.GetRequiredService<SourcePoller>();

        var watch = Stopwatch.StartNew();
        var outcome = await poller.PollAsync("indexed", CancellationToken.None);
        watch.Stop();

        Assert.Contains("the directory index is larger than 8 MiB", outcome);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(TimeoutSeconds), $"Took {watch.Elapsed}.");
        var poll = await App.WithDbAsync(db => db.SourcePolls.AsNoTracking()
            .SingleAsync(p => p.StreamId == db.Streams.Single(s => s.Name == "indexed").Id));
        Assert.Contains("the directory index is larger than 8 MiB", poll.LastError);
        Assert.Equal(0, await App.WithDbAsync(db => db.Candidates.CountAsync(c => c.Stream.Name == "indexed")));
        await AssertStopsSendingAsync("/index/");
    }

    [Fact]
    public async Task Submit_LocalComposeInsideTheRoot_IsIngested()
    {
        var compose = new TestCompose("CentOS-Stream-10-20261206.0", Packages);
        var directory = compose.WriteTo(setup.Root);
        var latest = Path.Combine(setup.Root, "latest-CentOS-Stream-10");
        Directory.CreateSymbolicLink(latest, directory);

        var response = await SubmitAsync(latest);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("outside")]
    [InlineData("dotdot")]
    [InlineData("file-url")]
    [InlineData("linked-folder")]
    [InlineData("linked-file")]
    public async Task Submit_LocalPathLeadingOutOfTheRoots_Is422(string kind)
    {
        var compose = new TestCompose($"CentOS-Stream-10-20261207.{kind.Length}", Packages);
        // A valid compose outside the root: the only thing wrong is where it is.
        var outside = compose.WriteTo(setup.Outside);
        var url = kind switch
        {
            "outside" => outside,
            "dotdot" => Path.Combine(setup.Root, "..", "outside", compose.Id),
            "file-url" => "file://" + outside,
            "linked-folder" => Link(Path.Combine(setup.Root, $"link-{compose.Id}"), outside),
            _ => LinkedFile(compose),
        };

        var (problem, _) = await RefusedAsync(url);

        Assert.Contains(kind.StartsWith("linked", StringComparison.Ordinal) ? "through a symbolic link" : "outside the folders composes may be read from",
            problem.Detail);
        Assert.False(await CandidateExistsAsync(compose.Id));
    }

    [Fact]
    public async Task Submit_OtherScheme_Is422()
    {
        var (problem, _) = await RefusedAsync($"ftp://127.0.0.1:{Mirror.Address.Port}/compose/");

        Assert.Contains("is neither an http(s) URL nor an absolute path", problem.Detail);
    }

    [Fact]
    public async Task Resolve_ManifestLargerThanFourMiB_IsRefusedWithoutReadingItAll()
    {
        Mirror.Endless("/v2/team/huge/manifests/main", 300L * 1024 * 1024, (byte)'{');
        var client = RegistryFixture.CreateClient(Mirror.Address.Authority, new RegistryHostOptions { TimeoutSeconds = TimeoutSeconds });

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            client.ResolveAsync($"{Mirror.Address.Authority}/team/huge", "main", CancellationToken.None));

        Assert.Contains("larger than 4 MiB", failure.Message);
        await AssertStopsSendingAsync("/v2/team/huge/manifests/main");
    }

    [Fact]
    public async Task Resolve_HugeTokenAnswer_IsRefused()
    {
        Mirror.Map("/v2/team/guarded/manifests/main", context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{Mirror.Url("/token")}\",service=\"hostile\"";
            return Task.CompletedTask;
        });
        Mirror.Endless("/token", 300L * 1024 * 1024, (byte)' ');
        var client = RegistryFixture.CreateClient(Mirror.Address.Authority, new RegistryHostOptions { TimeoutSeconds = TimeoutSeconds });

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            client.ResolveAsync($"{Mirror.Address.Authority}/team/guarded", "main", CancellationToken.None));

        Assert.Contains("getting a token", failure.Message);
        Assert.Contains("larger than 64 KiB", failure.Message);
        await AssertStopsSendingAsync("/token");
    }

    [Fact]
    public async Task Resolve_ManifestTrickled_TimesOutAfterTheRegistryLimit()
    {
        Mirror.Trickle("/v2/team/slow/manifests/main", "{\"schemaVersion\":2}", TimeSpan.FromSeconds(1));
        var client = RegistryFixture.CreateClient(Mirror.Address.Authority, new RegistryHostOptions { TimeoutSeconds = 1 });

        var watch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            client.ResolveAsync($"{Mirror.Address.Authority}/team/slow", "main", CancellationToken.None));

        Assert.Contains("within 1 s", failure.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Took {watch.Elapsed}.");
    }

    [Fact]
    public void Startup_BadSourcesSettings_FailsWithEveryErrorListed()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Sources:AllowedRoots:0"] = "relative/composes";
        app.Settings["ComposeGate:Sources:TimeoutSeconds"] = "0";
        app.Settings["ComposeGate:Sources:ConnectTimeoutSeconds"] = "0";
        app.Settings["ComposeGate:Sources:MaxMetadataBytes"] = "10";

        var message = Assert.ThrowsAny<Exception>(() => app.CreateClient()).ToString();

        Assert.Contains("ComposeGate:Sources:AllowedRoots:0 'relative/composes' is not an absolute folder path", message);
        Assert.Contains("ComposeGate:Sources:TimeoutSeconds must be between 1 and", message);
        Assert.Contains("ComposeGate:Sources:ConnectTimeoutSeconds must be between 1 and", message);
        Assert.Contains("ComposeGate:Sources:MaxMetadataBytes must be at least 1024", message);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Submit_300MbStatus_TheAppProcessDoesNotGrow()
    {
        var data = Path.Combine(Path.GetDirectoryName(setup.Root)!, "process-data");
        using var process = await AppProcess.StartAsync(data, AppProcess.FreePort(), new Dictionary<string, string>());
        using var admin = process.CreateAdminClient();
        await admin.CreateStreamAsync(Stream);
        // The same code paths run once first, so what they need to start (JIT, pools) is not counted as growth.
        Mirror.Compose("warm", new TestCompose("CentOS-Stream-10-20261208.0", Packages));
        Mirror.Text("/warm-big/STATUS", new string('A', 4096));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/streams/{Stream}/candidates", new { url = Mirror.Url("/warm/") })).StatusCode);
        await Problem.ReadAsync(await admin.PostAsJsonAsync($"/api/v1/streams/{Stream}/candidates", new { url = Mirror.Url("/warm-big/") }),
            HttpStatusCode.UnprocessableEntity);
        Mirror.Endless("/huge/STATUS", 300L * 1024 * 1024);
        var before = process.PeakResidentBytes;

        var watch = Stopwatch.StartNew();
        var response = await admin.PostAsJsonAsync($"/api/v1/streams/{Stream}/candidates", new { url = Mirror.Url("/huge/") });
        watch.Stop();

        var problem = await Problem.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("STATUS is larger than 1 KiB", problem.Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Took {watch.Elapsed}.");
        var growth = process.PeakResidentBytes - before;
        Assert.True(growth < 32L * 1024 * 1024, $"The peak resident size grew by {growth / 1024 / 1024} MiB reading a 300 MB STATUS.");
        await AssertStopsSendingAsync("/huge/STATUS");
    }

    private async Task<HttpResponseMessage> SubmitAsync(string url)
    {
        using var admin = App.CreateAdminClient();
        return await admin.PostAsJsonAsync($"/api/v1/streams/{Stream}/candidates", new { url });
    }

    /// <summary>Submits <paramref name="url"/>, expects a 422 problem, and checks that no spooled document was left behind.</summary>
    private async Task<(Problem Problem, TimeSpan Elapsed)> RefusedAsync(string url)
    {
        var candidates = await App.WithDbAsync(db => db.Candidates.CountAsync());
        var watch = Stopwatch.StartNew();
        var response = await SubmitAsync(url);
        watch.Stop();
        var problem = await Problem.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(candidates, await App.WithDbAsync(db => db.Candidates.CountAsync()));
        var spool = Path.Combine(App.DataDir, "tmp");
        Assert.Empty(Directory.Exists(spool) ? Directory.GetFiles(spool) : []);
        return (problem, watch.Elapsed);
    }

    /// <summary>The mirror soon stops being able to send: the client dropped the connection well before 300 MB.</summary>
    private async Task AssertStopsSendingAsync(string path)
    {
        long sent;
        var settled = 0;
        do
        {
            sent = Mirror.SentTo(path);
            await Task.Delay(200);
            settled = Mirror.SentTo(path) == sent ? settled + 1 : 0;
        }
        while (settled < 3);
        Assert.True(sent < 64L * 1024 * 1024, $"The mirror sent {sent / 1024 / 1024} MiB of {path}.");
    }

    private Task<bool> CandidateExistsAsync(string id) => App.WithDbAsync(db => db.Candidates.AnyAsync(c => c.Id == id));

    private static string Link(string link, string target)
    {
        Directory.CreateSymbolicLink(link, target);
        return link;
    }

    /// <summary>A compose folder inside the root whose rpms.json is a link to a file outside it.</summary>
    private string LinkedFile(TestCompose compose)
    {
        var inside = compose.WriteTo(Path.Combine(setup.Root, "with-linked-file"));
        var rpms = Path.Combine(inside, "compose", "metadata", "rpms.json");
        var target = Path.Combine(setup.Outside, $"{compose.Id}-rpms.json");
        File.Move(rpms, target);
        File.CreateSymbolicLink(rpms, target);
        return inside;
    }
}

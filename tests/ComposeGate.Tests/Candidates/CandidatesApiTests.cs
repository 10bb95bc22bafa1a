using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Candidates;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Candidates;

public sealed class CandidatesApiTests : IClassFixture<ComposeGateFactory>, IDisposable
{
    // Every verdict of the diff below follows from rpm's ordering rules (formats/rpm.md).
    private static readonly TestCompose First = new("CentOS-Stream-10-20261118.0",
    [
        new("bash", "0:5.2.26-4.el10", "bash", "bash-devel"),
        new("kernel", "0:6.12.0-10.el10", "kernel", "kernel-core"),
        new("glibc", "0:2.39-10.el10", "glibc"),
        new("python3.12", "0:3.12.1~rc1-1.el10", "python3.12"),
        new("vim", "2:9.1.083-1.el10", "vim-enhanced"),
        new("zlib-ng", "0:2.1.6^20261101git3f2a-1.el10", "zlib-ng"),
        new("openssl", "1:3.2.2-2.el10", "openssl"),
        new("tzdata", "0:2024a-1.el10", "tzdata"),
        new("perl-IO-Compress", "0:2.201-5.el10", "perl-IO-Compress"),
        new("removed-pkg", "0:1.0-1.el10", "removed-pkg"),
    ]);

    private static readonly TestCompose Second = new("CentOS-Stream-10-20261119.0",
    [
        new("bash", "0:5.2.26-6.el10", "bash", "bash-devel"),              // release bump: upgraded
        new("kernel", "0:6.12.0-9.el10", "kernel", "kernel-core"),          // lower release: downgraded
        new("glibc", "0:2.39-10.el10", "glibc"),                            // same: unchanged
        new("python3.12", "0:3.12.1-1.el10", "python3.12"),                 // ~rc1 → final: upgraded
        new("vim", "1:9.2.0-1.el10", "vim-enhanced"),                       // lower epoch wins over version: downgraded
        new("zlib-ng", "0:2.1.6-1.el10", "zlib-ng"),                        // ^snapshot → plain: downgraded (2.1.6 < 2.1.6^…)
        new("openssl", "1:3.02.2-2.el10", "openssl"),                       // 3.2.2 vs 3.02.2 compare equal: unchanged
        new("tzdata", "0:2024b-1.el10", "tzdata"),                          // alpha segment: upgraded
        new("perl-IO-Compress", "0:2.201-5.el10", "perl-IO-Compress"),      // unchanged
        new("new-pkg-2", "0:0.1-1.el10", "new-pkg-2"),                      // added
    ]);

    private readonly ComposeGateFactory app;
    private readonly string composes = Path.Combine(Path.GetTempPath(), "composegate-composes", Guid.NewGuid().ToString("N"));

    public CandidatesApiTests(ComposeGateFactory app)
    {
        this.app = app;
        // Composes are read by URL from these folders only; the factory is shared, so allow their common parent.
        app.Settings["ComposeGate:Sources:AllowedRoots:0"] = Path.GetDirectoryName(composes)!;
        using var admin = app.CreateAdminClient();
        admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" }).GetAwaiter().GetResult();
        admin.PostAsJsonAsync("/api/v1/streams", new { name = "workspace", kind = "image" }).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (Directory.Exists(composes))
        {
            Directory.Delete(composes, recursive: true);
        }
    }

    [Fact]
    public async Task Submit_InlineThenByUrl_GivesADiffMatchingRpmOrder()
    {
        using var admin = app.CreateAdminClient();

        var first = await admin.PostAsync("/api/v1/streams/cs10/candidates", First.Content());
        var second = await admin.PostAsJsonAsync("/api/v1/streams/cs10/candidates", new { url = Second.WriteTo(composes) });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("/api/v1/candidates/CentOS-Stream-10-20261119.0", second.Headers.Location!.ToString());
        var diff = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Second.Id}/diff?against={First.Id}");
        Assert.Equal(First.Id, diff.GetProperty("base").GetString());
        Assert.Equal("source", diff.GetProperty("level").GetString());
        Assert.Equal(["new-pkg-2"], Names(diff, "added"));
        Assert.Equal(["removed-pkg"], Names(diff, "removed"));
        Assert.Equal(["bash", "python3.12", "tzdata"], Names(diff, "upgraded"));
        Assert.Equal(["kernel", "vim", "zlib-ng"], Names(diff, "downgraded"));
        Assert.Equal(3, diff.GetProperty("unchanged").GetInt32());
        var bash = diff.GetProperty("upgraded").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "bash");
        Assert.Equal("0:5.2.26-4.el10", bash.GetProperty("from").GetString());
        Assert.Equal("0:5.2.26-6.el10", bash.GetProperty("to").GetString());
        Assert.Equal("0:0.1-1.el10", diff.GetProperty("added")[0].GetProperty("evr").GetString());
    }

    [Fact]
    public async Task Submit_SameComposeAgain_Is200WithTheExistingCandidate()
    {
        using var admin = app.CreateAdminClient();
        var compose = new TestCompose("CentOS-Stream-10-20261101.0", First.Packages);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content())).StatusCode);

        var again = await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content());

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var candidate = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(compose.Id, candidate.GetProperty("id").GetString());
        Assert.Equal(1, await app.WithDbAsync(db => db.Candidates.CountAsync(c => c.Id == compose.Id)));
        Assert.Equal(compose.RpmCount, await app.WithDbAsync(db => db.CandidateRpms.CountAsync(r => r.CandidateId == compose.Id)));
    }

    [Fact]
    public async Task Submit_SameIdOtherContent_Is409AndKeepsTheFirst()
    {
        using var admin = app.CreateAdminClient();
        var compose = new TestCompose("CentOS-Stream-10-20261102.0", First.Packages);
        await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content());
        var tampered = new TestCompose(compose.Id, Second.Packages);

        var response = await admin.PostAsync("/api/v1/streams/cs10/candidates", tampered.Content());

        await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(First.Packages.Count, await app.WithDbAsync(db => db.CandidatePackages.CountAsync(p => p.CandidateId == compose.Id)));
    }

    [Theory]
    [InlineData("DOOMED")]
    [InlineData("STARTED")]
    [InlineData("TERMINATED")]
    public async Task Submit_UrlOfUnfinishedCompose_Is422NamingTheStatus(string status)
    {
        using var admin = app.CreateAdminClient();
        var compose = new TestCompose($"CentOS-Stream-10-20261103.{status.Length}", First.Packages);

        var response = await admin.PostAsJsonAsync("/api/v1/streams/cs10/candidates", new { url = compose.WriteTo(composes, status) });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"STATUS {status}", problem.Detail);
        Assert.False(await app.WithDbAsync(db => db.Candidates.AnyAsync(c => c.Id == compose.Id)));
    }

    [Fact]
    public async Task Submit_UrlOfFinishedIncompleteCompose_IsAccepted()
    {
        using var admin = app.CreateAdminClient();
        var compose = new TestCompose("CentOS-Stream-10-20261104.0", First.Packages);

        var response = await admin.PostAsJsonAsync("/api/v1/streams/cs10/candidates", new { url = "file://" + compose.WriteTo(composes, "FINISHED_INCOMPLETE") });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Submit_UrlThatDoesNotExist_Is422()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v1/streams/cs10/candidates", new { url = "/nonexistent/compose" });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("/nonexistent/compose/STATUS", problem.Detail);
    }

    [Theory]
    [InlineData("bash-0:5.2.26-4.el10.x86_64", "bash-5.2.26-4.el10.x86_64", "$.rpms.payload.rpms.BaseOS.x86_64['bash-0:5.2.26-4.el10.src']['bash-5.2.26-4.el10.x86_64']")]
    [InlineData("\"respin\":0", "\"respin\":\"zero\"", "$.composeinfo.payload.compose.respin")]
    [InlineData("\"type\":\"productmd.rpms\"", "\"type\":\"productmd.modules\"", "$.rpms.header.type")]
    public async Task Submit_MalformedMetadata_Is400NamingThePathAndStoresNothing(string find, string replace, string path)
    {
        using var admin = app.CreateAdminClient();
        var compose = new TestCompose("CentOS-Stream-10-20261105.0", First.Packages);
        var body = compose.Body();
        var at = body.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0);
        var before = await CountsAsync();

        var response = await admin.PostAsync("/api/v1/streams/cs10/candidates",
            new StringContent(body[..at] + replace + body[(at + find.Length)..], Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(path, problem.Errors.Keys);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Submit_ComposeWithSameSourcePackages_IsMarkedUnchanged()
    {
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("unchanged-check");
        await admin.PostAsync("/api/v1/streams/unchanged-check/candidates", new TestCompose("CentOS-Stream-10-20261106.0", First.Packages).Content());
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var respin = await (await admin.PostAsync("/api/v1/streams/unchanged-check/candidates",
            new TestCompose("CentOS-Stream-10-20261106.1", First.Packages).Content())).Content.ReadFromJsonAsync<JsonElement>();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var changed = await (await admin.PostAsync("/api/v1/streams/unchanged-check/candidates",
            new TestCompose("CentOS-Stream-10-20261107.0", Second.Packages).Content())).Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(respin.GetProperty("unchanged").GetBoolean());
        Assert.False(changed.GetProperty("unchanged").GetBoolean());
    }

    [Fact]
    public async Task Diff_WithoutAgainst_UsesTheLastPromotedCandidateOrCallsEverythingAdded()
    {
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("promoted-base");
        var a = new TestCompose("CentOS-Stream-10-20261108.0", First.Packages);
        var b = new TestCompose("CentOS-Stream-10-20261109.0", Second.Packages);
        await admin.PostAsync("/api/v1/streams/promoted-base/candidates", a.Content());
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await admin.PostAsync("/api/v1/streams/promoted-base/candidates", b.Content());

        var beforePromotion = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{b.Id}/diff");
        await app.WithDbAsync(async db =>
        {
            var candidate = await db.Candidates.SingleAsync(c => c.Id == a.Id);
            candidate.Status = CandidateStatus.Promoted;
            candidate.PromotedAt = app.Clock.GetUtcNow();
            return await db.SaveChangesAsync();
        });
        var afterPromotion = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{b.Id}/diff");

        Assert.Equal(JsonValueKind.Null, beforePromotion.GetProperty("base").ValueKind);
        Assert.Equal(Second.Packages.Count, beforePromotion.GetProperty("added").GetArrayLength());
        Assert.Equal(a.Id, afterPromotion.GetProperty("base").GetString());
        Assert.Equal(["new-pkg-2"], Names(afterPromotion, "added"));
    }

    [Fact]
    public async Task Diff_BinaryLevel_KeysByRpmName()
    {
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("binary-diff");
        var a = new TestCompose("CentOS-Stream-10-20261110.0", [new("bash", "0:5.2.26-4.el10", "bash", "bash-devel")]);
        var b = new TestCompose("CentOS-Stream-10-20261111.0", [new("bash", "0:5.2.26-6.el10", "bash", "bash-doc")]);
        await admin.PostAsync("/api/v1/streams/binary-diff/candidates", a.Content());
        await admin.PostAsync("/api/v1/streams/binary-diff/candidates", b.Content());

        var diff = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{b.Id}/diff?against={a.Id}&level=binary");

        Assert.Equal(["bash-doc"], Names(diff, "added"));
        Assert.Equal(["bash-devel"], Names(diff, "removed"));
        Assert.Equal(["bash"], Names(diff, "upgraded"));
    }

    [Fact]
    public async Task Diff_UnknownCandidateOrLevel_AreProblems()
    {
        using var admin = app.CreateAdminClient();

        await Problem.ReadAsync(await admin.GetAsync("/api/v1/candidates/nope/diff"), HttpStatusCode.NotFound);
        var level = await Problem.ReadAsync(await admin.GetAsync("/api/v1/candidates/nope/diff?level=module"), HttpStatusCode.BadRequest);
        Assert.Contains("level", level.Errors.Keys);
    }

    [Fact]
    public async Task Packages_SourceAndBinaryLevels_ListTheManifest()
    {
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("manifest");
        var compose = new TestCompose("CentOS-Stream-10-20261112.0", First.Packages);
        await admin.PostAsync("/api/v1/streams/manifest/candidates", compose.Content());

        var sources = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/packages");
        var binaries = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}/packages?level=binary");

        Assert.Equal(First.Packages.Count, sources.GetArrayLength());
        var vim = sources.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "vim");
        Assert.Equal("2:9.1.083-1.el10", vim.GetProperty("evr").GetString());
        Assert.Equal(compose.RpmCount, binaries.GetArrayLength());
        var devel = binaries.EnumerateArray().First(r => r.GetProperty("name").GetString() == "bash-devel");
        Assert.Equal("bash", devel.GetProperty("source").GetString());
        Assert.Equal("BaseOS", devel.GetProperty("variant").GetString());
        Assert.Equal("binary", devel.GetProperty("category").GetString());
        Assert.Equal("8483c65d", devel.GetProperty("sigkey").GetString());
    }

    [Fact]
    public async Task Image_IsPinnedToItsDigest()
    {
        using var admin = app.CreateAdminClient();
        var digest = "sha256:" + new string('a', 12) + new string('0', 52);

        var response = await admin.PostAsJsonAsync("/api/v1/streams/workspace/candidates",
            new { image = "quay.io/gitpod/workspace-full", tag = "main", digest, platforms = new[] { "linux/amd64" } });
        var again = await admin.PostAsJsonAsync("/api/v1/streams/workspace/candidates",
            new { image = "quay.io/gitpod/workspace-full", tag = "nightly", digest });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var candidate = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("workspace-full-aaaaaaaaaaaa", candidate.GetProperty("id").GetString());
        Assert.Equal(digest, candidate.GetProperty("image").GetProperty("digest").GetString());
        Assert.Equal("main", candidate.GetProperty("image").GetProperty("tag").GetString());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Theory]
    [InlineData("{\"image\":\"quay.io/gitpod/workspace-full\",\"tag\":\"main\",\"digest\":\"sha256:abc\"}", "$.digest")]
    [InlineData("{\"image\":\"quay.io/gitpod/workspace-full\",\"tag\":\"main\",\"digest\":\"md5:d41d8cd98f00b204e9800998ecf8427e\"}", "$.digest")]
    [InlineData("{\"image\":\"Quay.io/Upper/Case\",\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}", "$.image")]
    [InlineData("{\"image\":\"quay.io/a/b:main\",\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}", "$.image")]
    [InlineData("{\"url\":\"/x\",\"image\":\"quay.io/a/b\"}", "$")]
    [InlineData("{\"composeinfo\":{}}", "$.composeinfo.header")]
    [InlineData("{\"unexpected\":1}", "$.unexpected")]
    [InlineData("[1,2]", "$")]
    public async Task Submit_InvalidForm_Is400NamingTheField(string body, string path)
    {
        using var admin = app.CreateAdminClient();
        var before = await CountsAsync();

        var response = await admin.PostAsync("/api/v1/streams/workspace/candidates", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(path, problem.Errors.Keys);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Submit_ComposeToImageStream_Is400()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsync("/api/v1/streams/workspace/candidates", First.Content());

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("takes images", string.Join(" ", problem.Errors.Values.SelectMany(v => v)));
    }

    [Fact]
    public async Task Submit_UnknownStream_Is404()
    {
        using var admin = app.CreateAdminClient();

        await Problem.ReadAsync(await admin.PostAsync("/api/v1/streams/nope/candidates", First.Content()), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Submit_Rights_ViewerAndPlainReporterAre403_ReporterWithIngestMay()
    {
        var viewer = app.CreateClient(await app.MintTokenAsync("ingest-viewer", "Viewer"));
        var reporter = app.CreateClient(await app.MintTokenAsync("ingest-reporter", "Reporter"));
        using var admin = app.CreateAdminClient();
        var minted = await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "pungi-bot", role = "Reporter", ingest = true }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var announcer = app.CreateClient(minted.GetProperty("token").GetString());
        var compose = new TestCompose("CentOS-Stream-10-20261113.0", First.Packages);

        await Problem.ReadAsync(await viewer.PostAsync("/api/v1/streams/cs10/candidates", compose.Content()), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await reporter.PostAsync("/api/v1/streams/cs10/candidates", compose.Content()), HttpStatusCode.Forbidden);
        var created = await announcer.PostAsync("/api/v1/streams/cs10/candidates", compose.Content());

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("pungi-bot", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("createdBy").GetString());
    }

    [Fact]
    public async Task List_IsNewestFirstFilteredAndPaged()
    {
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("paged");
        for (var day = 20; day <= 24; day++)
        {
            await admin.PostAsync("/api/v1/streams/paged/candidates", new TestCompose($"Fedora-Rawhide-202610{day}.n.0", First.Packages).Content());
            app.Clock.Advance(TimeSpan.FromHours(1));
        }

        var first = await admin.GetFromJsonAsync<JsonElement>("/api/v1/candidates?stream=paged&limit=2");
        var next = first.GetProperty("next").GetString()!;
        var second = await admin.GetFromJsonAsync<JsonElement>(next);
        var last = await admin.GetFromJsonAsync<JsonElement>(second.GetProperty("next").GetString()!);
        var promoted = await admin.GetFromJsonAsync<JsonElement>("/api/v1/candidates?stream=paged&status=promoted");

        Assert.Equal(["Fedora-Rawhide-20261024.n.0", "Fedora-Rawhide-20261023.n.0"], Ids(first));
        Assert.Equal(["Fedora-Rawhide-20261022.n.0", "Fedora-Rawhide-20261021.n.0"], Ids(second));
        Assert.Equal(["Fedora-Rawhide-20261020.n.0"], Ids(last));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("next").ValueKind);
        Assert.Empty(Ids(promoted));
        var bad = await Problem.ReadAsync(await admin.GetAsync("/api/v1/candidates?status=shipped"), HttpStatusCode.BadRequest);
        Assert.Contains("status", bad.Errors.Keys);
    }

    [Fact]
    public async Task Get_ShowsCountsAndThatNothingPassesWithoutAPolicy()
    {
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("details");
        var compose = new TestCompose("CentOS-Stream-10-20261114.0", First.Packages);
        await admin.PostAsync("/api/v1/streams/details/candidates", compose.Content());

        var candidate = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}");

        Assert.Equal("gating", candidate.GetProperty("status").GetString());
        Assert.Equal("details", candidate.GetProperty("stream").GetString());
        Assert.Equal(First.Packages.Count, candidate.GetProperty("manifest").GetProperty("sourcePackages").GetInt32());
        Assert.Equal(compose.RpmCount, candidate.GetProperty("manifest").GetProperty("binaryPackages").GetInt32());
        Assert.Equal(JsonValueKind.Null, candidate.GetProperty("mergeRequest").ValueKind);
        Assert.Equal(0, candidate.GetProperty("issues").GetArrayLength());
        Assert.False(candidate.GetProperty("decision").GetProperty("satisfied").GetBoolean());
        Assert.Equal("20261114", candidate.GetProperty("compose").GetProperty("date").GetString());
        await Problem.ReadAsync(await admin.GetAsync("/api/v1/candidates/nope"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PackageSearch_FindsCandidatesWithAtLeastTheVersionAndTellsWhatIsPublished()
    {
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("search");
        var old = new TestCompose("CentOS-Stream-10-20261115.0", First.Packages);
        var current = new TestCompose("CentOS-Stream-10-20261116.0", Second.Packages);
        await admin.PostAsync("/api/v1/streams/search/candidates", old.Content());
        await admin.PostAsync("/api/v1/streams/search/candidates", current.Content());
        await app.WithDbAsync(async db =>
        {
            (await db.Candidates.SingleAsync(c => c.Id == old.Id)).Status = CandidateStatus.Promoted;
            return await db.SaveChangesAsync();
        });

        var any = await admin.GetFromJsonAsync<JsonElement>("/api/v1/packages?name=bash&stream=search");
        var atLeast = await admin.GetFromJsonAsync<JsonElement>("/api/v1/packages?name=bash&min=5.2.26-5&stream=search");
        var devel = await admin.GetFromJsonAsync<JsonElement>("/api/v1/packages?name=bash-devel&min=5.2.26&stream=search");

        Assert.Equal(4, any.GetArrayLength());
        // The newer candidate only, as source package and as binary RPM.
        Assert.Equal(["binary", "source"], atLeast.EnumerateArray().Select(h => h.GetProperty("level").GetString()).Order());
        Assert.All(atLeast.EnumerateArray(), hit =>
        {
            Assert.Equal(current.Id, hit.GetProperty("candidate").GetString());
            Assert.Equal("0:5.2.26-6.el10", hit.GetProperty("evr").GetString());
            Assert.False(hit.GetProperty("published").GetBoolean());
        });
        Assert.Contains(any.EnumerateArray(), h => h.GetProperty("candidate").GetString() == old.Id && h.GetProperty("published").GetBoolean());
        Assert.All(devel.EnumerateArray(), h => Assert.Equal("binary", h.GetProperty("level").GetString()));
        var bad = await Problem.ReadAsync(await admin.GetAsync("/api/v1/packages?name=bash&min=1:"), HttpStatusCode.BadRequest);
        Assert.Contains("min", bad.Errors.Keys);
    }

    private Task<(int, int, int)> CountsAsync() => app.WithDbAsync(async db =>
        (await db.Candidates.CountAsync(), await db.CandidatePackages.CountAsync(), await db.CandidateRpms.CountAsync()));

    private static List<string?> Names(JsonElement diff, string kind) =>
        diff.GetProperty(kind).EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();

    private static List<string?> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
}

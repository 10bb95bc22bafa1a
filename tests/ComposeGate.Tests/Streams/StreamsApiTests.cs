using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Streams;

public sealed class StreamsApiTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public StreamsApiTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task Create_AsAdmin_Is201WithLocationAndTheStream()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v1/streams",
            new { name = "centos-stream-10", kind = "compose", description = "CentOS Stream 10 nightly composes" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/streams/centos-stream-10", response.Headers.Location!.ToString());
        var stream = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("centos-stream-10", stream.GetProperty("name").GetString());
        Assert.Equal("compose", stream.GetProperty("kind").GetString());
        Assert.Equal("bootstrap-admin", stream.GetProperty("createdBy").GetString());
        Assert.Equal(0, stream.GetProperty("latestCandidates").GetArrayLength());
    }

    [Fact]
    public async Task Create_SameNameTwice_Is409AndKeepsTheFirst()
    {
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "gitpod-workspace", kind = "image", description = "first" });

        var again = await admin.PostAsJsonAsync("/api/v1/streams", new { name = "gitpod-workspace", kind = "compose", description = "second" });

        var problem = await Problem.ReadAsync(again, HttpStatusCode.Conflict);
        Assert.Contains("gitpod-workspace", problem.Detail);
        var kept = await app.WithDbAsync(db => db.Streams.SingleAsync(s => s.Name == "gitpod-workspace"));
        Assert.Equal("first", kept.Description);
    }

    [Theory]
    [InlineData("{\"name\":\"Has Spaces\",\"kind\":\"compose\"}", "name")]
    [InlineData("{\"name\":\"-leading-dash\",\"kind\":\"compose\"}", "name")]
    [InlineData("{\"kind\":\"compose\"}", "name")]
    [InlineData("{\"name\":\"no-kind\"}", "kind")]
    public async Task Create_InvalidFields_Is400NamingTheFieldAndStoresNothing(string body, string field)
    {
        using var admin = app.CreateAdminClient();
        var before = await app.WithDbAsync(db => db.Streams.CountAsync());

        var response = await admin.PostAsync("/api/v1/streams", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors.ContainsKey(field), $"errors: {string.Join(", ", problem.Errors.Keys)}");
        Assert.Equal(before, await app.WithDbAsync(db => db.Streams.CountAsync()));
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"kind\":\"rpm\"}", "$.kind")]
    [InlineData("{\"name\":\"x\",\"kind\":1}", "$.kind")]
    [InlineData("{\"name\":42,\"kind\":\"compose\"}", "$.name")]
    public async Task Create_WrongJsonTypes_Is400NamingTheJsonPath(string body, string path)
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsync("/api/v1/streams", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(path, problem.Errors.Keys);
        Assert.DoesNotContain("ComposeGate.", problem.Detail);
    }

    [Fact]
    public async Task Create_MalformedJson_Is400Problem()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsync("/api/v1/streams", new StringContent("{\"name\":", Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", problem.Title);
    }

    [Fact]
    public async Task Create_NotJson_Is415Problem()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsync("/api/v1/streams", new StringContent("name=x", Encoding.UTF8, "text/plain"));

        await Problem.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task GetAndList_ShowTheStreamWithItsNewestCandidatesNewestFirst()
    {
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "fedora-rawhide", kind = "compose" });
        await app.WithDbAsync(async db =>
        {
            var stream = await db.Streams.SingleAsync(s => s.Name == "fedora-rawhide");
            for (var day = 1; day <= 7; day++)
            {
                db.Candidates.Add(new ComposeGate.Candidates.Candidate
                {
                    Id = $"Fedora-Rawhide-202611{day:00}.n.0",
                    StreamId = stream.Id,
                    CreatedAt = new DateTimeOffset(2026, 11, day, 5, 0, 0, TimeSpan.Zero),
                    StatusChangedAt = new DateTimeOffset(2026, 11, day, 5, 0, 0, TimeSpan.Zero),
                    CreatedBy = "test",
                    ContentHash = "x",
                    Status = day == 3 ? ComposeGate.Candidates.CandidateStatus.Promoted : ComposeGate.Candidates.CandidateStatus.Gating,
                    PromotedAt = day == 3 ? new DateTimeOffset(2026, 11, 4, 0, 0, 0, TimeSpan.Zero) : null,
                });
            }
            return await db.SaveChangesAsync();
        });

        var one = await admin.GetFromJsonAsync<JsonElement>("/api/v1/streams/fedora-rawhide");
        var all = await admin.GetFromJsonAsync<JsonElement>("/api/v1/streams");

        var latest = one.GetProperty("latestCandidates").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal(["Fedora-Rawhide-20261107.n.0", "Fedora-Rawhide-20261106.n.0", "Fedora-Rawhide-20261105.n.0",
            "Fedora-Rawhide-20261104.n.0", "Fedora-Rawhide-20261103.n.0"], latest);
        Assert.Equal("Fedora-Rawhide-20261103.n.0", one.GetProperty("lastPromoted").GetProperty("id").GetString());
        Assert.Equal(6, one.GetProperty("candidateCounts").GetProperty("gating").GetInt32());
        Assert.Contains(all.EnumerateArray(), s => s.GetProperty("name").GetString() == "fedora-rawhide");
    }

    [Fact]
    public async Task Get_UnknownStream_Is404Problem()
    {
        using var admin = app.CreateAdminClient();

        var problem = await Problem.ReadAsync(await admin.GetAsync("/api/v1/streams/nope"), HttpStatusCode.NotFound);

        Assert.Contains("nope", problem.Detail);
    }

    [Fact]
    public async Task Create_IsRecordedInTheAuditTrail()
    {
        using var admin = app.CreateAdminClient();

        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "audited", kind = "image" });

        var audit = await app.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Kind == "stream.created" && e.Summary.Contains("audited")));
        Assert.Equal("bootstrap-admin", audit.Actor);
        Assert.NotNull(audit.StreamId);
    }
}

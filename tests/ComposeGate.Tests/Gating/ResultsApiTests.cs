using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Gating;

public sealed class ResultsApiTests : IClassFixture<ComposeGateFactory>
{
    private static readonly TestCompose Compose = new("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
    private readonly ComposeGateFactory app;

    public ResultsApiTests(ComposeGateFactory app)
    {
        this.app = app;
        using var admin = app.CreateAdminClient();
        admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" }).GetAwaiter().GetResult();
        admin.PostAsync("/api/v1/streams/cs10/candidates", Compose.Content()).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Report_ValidResult_Is201AndListedNewestFirst()
    {
        using var bot = app.CreateClient(await app.MintTokenAsync("listing-bot", "Reporter"));

        var first = await bot.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/results", new { testcase = "fedora.ci.rpmlint", outcome = "INFO" });
        var second = await bot.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/results", new
        {
            testcase = "fedora.ci.rpmlint",
            outcome = "NEEDS_INSPECTION",
            scenario = "x86_64",
            ref_url = "https://ci.example.org/rpmlint/42",
            note = "3 new warnings",
            data = new { arch = "x86_64", logs = new[] { "a.log", "b.log" } },
        });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("listing-bot", created.GetProperty("reporter").GetString());
        Assert.Equal("https://ci.example.org/rpmlint/42", created.GetProperty("ref_url").GetString());
        Assert.Equal(["a.log", "b.log"], created.GetProperty("data").GetProperty("logs").EnumerateArray().Select(v => v.GetString()));
        var listed = await bot.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Compose.Id}/results");
        var mine = listed.EnumerateArray().Where(r => r.GetProperty("reporter").GetString() == "listing-bot").ToList();
        Assert.Equal(["NEEDS_INSPECTION", "INFO"], mine.Select(r => r.GetProperty("outcome").GetString()));
    }

    [Theory]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"GREEN\"}", "outcome")]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"passed\"}", "outcome")]
    [InlineData("{\"testcase\":\"t\"}", "outcome")]
    [InlineData("{\"testcase\":\"\",\"outcome\":\"PASSED\"}", "testcase")]
    [InlineData("{\"testcase\":\"has space\",\"outcome\":\"PASSED\"}", "testcase")]
    [InlineData("{\"testcase\":\"a/b\",\"outcome\":\"PASSED\"}", "testcase")]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"ref_url\":\"ftp://example.org/x\"}", "ref_url")]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"ref_url\":\"javascript:alert(1)\"}", "ref_url")]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"data\":{\"a:b\":\"x\"}}", "data")]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"data\":{\"nested\":{\"x\":1}}}", "data.nested")]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"data\":[1]}", "data")]
    [InlineData("{\"testcase\":5,\"outcome\":\"PASSED\"}", "$.testcase")]
    [InlineData("{\"testcase\":\"t\",\"outcome\":\"PASSED\"", "$")]
    public async Task Report_InvalidBody_Is400NamingTheFieldAndStoresNothing(string body, string field)
    {
        using var admin = app.CreateAdminClient();
        var before = await app.WithDbAsync(db => db.Results.CountAsync());

        var response = await admin.PostAsync($"/api/v1/candidates/{Compose.Id}/results", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors.Keys.Any(k => k == field || (field == "$" && k.StartsWith('$'))), string.Join(", ", problem.Errors.Keys));
        Assert.Equal(before, await app.WithDbAsync(db => db.Results.CountAsync()));
    }

    [Fact]
    public async Task Report_OversizedNoteOrData_Is400()
    {
        using var admin = app.CreateAdminClient();

        var note = await admin.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/results", new { testcase = "t", outcome = "PASSED", note = new string('n', 10_001) });
        var data = await admin.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/results",
            new { testcase = "t", outcome = "PASSED", data = new { log = new string('d', 1_001) } });

        Assert.Contains("note", (await Problem.ReadAsync(note, HttpStatusCode.BadRequest)).Errors.Keys);
        Assert.Contains("data.log", (await Problem.ReadAsync(data, HttpStatusCode.BadRequest)).Errors.Keys);
    }

    [Fact]
    public async Task Report_UnknownCandidate_Is404()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v1/candidates/nope/results", new { testcase = "t", outcome = "PASSED" });

        await Problem.ReadAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ResultsDb_PostAndSearch_SpeakTheWireFormat()
    {
        using var bot = app.CreateClient(await app.MintTokenAsync("resultsdb-bot", "Reporter"));
        var posted = await bot.PostAsJsonAsync("/api/v2.0/results", new
        {
            testcase = "dist.rpmdeplint",
            outcome = "FAILED",
            note = "missing dependency",
            ref_url = "https://ci.example.org/1",
            data = new { item = Compose.Id, type = "koji_build", scenario = "aarch64" },
        });
        await bot.PostAsJsonAsync("/api/v2.0/results", new { testcase = new { name = "dist.abicheck" }, outcome = "PASSED", data = new { item = new[] { Compose.Id } } });

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var result = await posted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dist.rpmdeplint", result.GetProperty("testcase").GetProperty("name").GetString());
        Assert.Equal([Compose.Id], result.GetProperty("data").GetProperty("item").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["aarch64"], result.GetProperty("data").GetProperty("scenario").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["koji_build"], result.GetProperty("data").GetProperty("type").EnumerateArray().Select(v => v.GetString()));
        Assert.True(result.TryGetProperty("submit_time", out _));

        var failed = await bot.GetFromJsonAsync<JsonElement>($"/api/v2.0/results?item={Compose.Id}&outcome=FAILED");
        Assert.Equal(["dist.rpmdeplint"], failed.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("testcase").GetProperty("name").GetString()));
        var both = await bot.GetFromJsonAsync<JsonElement>($"/api/v2.0/results?item={Compose.Id}&testcases=dist.rpmdeplint,dist.abicheck&limit=1");
        Assert.Equal(1, both.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, both.GetProperty("prev").ValueKind);
        var next = await bot.GetFromJsonAsync<JsonElement>(both.GetProperty("next").GetString()!);
        Assert.Equal("dist.rpmdeplint", next.GetProperty("data")[0].GetProperty("testcase").GetProperty("name").GetString());
        var like = await bot.GetFromJsonAsync<JsonElement>($"/api/v2.0/results?item={Compose.Id}&testcases:like=dist.*");
        Assert.Equal(2, like.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task ResultsDb_WithoutItem_Is400()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v2.0/results", new { testcase = "x", outcome = "PASSED", data = new { type = "koji_build" } });

        Assert.Contains("data.item", (await Problem.ReadAsync(response, HttpStatusCode.BadRequest)).Errors.Keys);
    }

    [Fact]
    public async Task Report_OversizedBody_Is413OverRealHttp()
    {
        using var server = new ComposeGateFactory();
        server.UseKestrel(0);
        server.StartServer();
        using var admin = server.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = server.ClientOptions.BaseAddress });
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ComposeGateFactory.AdminToken);
        var body = $"{{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"note\":\"{new string('x', 300 * 1024)}\"}}";

        var response = await admin.PostAsync($"/api/v1/candidates/{Compose.Id}/results", new StringContent(body, Encoding.UTF8, "application/json"));

        await Problem.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }
}

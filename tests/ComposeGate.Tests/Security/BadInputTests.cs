using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Forge;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Users;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Security;

/// <summary>
/// The app of the bad-input tests: a stream with one candidate whose GitLab merge request is !7, and a Tester whose
/// GitLab user name is tom.gl, so a well-formed hook would act and a malformed one visibly does not.
/// </summary>
public sealed class BadInputApp : ComposeGateFactory, IAsyncLifetime
{
    public const string Stream = "bad-input";
    public const string HookSecret = "bad-input-webhook-secret";
    public static readonly TestCompose Compose = new("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash")]);

    public BadInputApp() => Settings["ComposeGate:Forge:GitLab:WebhookSecret"] = HookSecret;

    async Task IAsyncLifetime.InitializeAsync()
    {
        using var admin = CreateAdminClient();
        await admin.CreateStreamAsync(Stream);
        (await admin.PostAsync($"/api/v1/streams/{Stream}/candidates", Compose.Content())).EnsureSuccessStatusCode();
        await WithDbAsync(db =>
        {
            db.MergeRequests.Add(new MergeRequestLink
            {
                CandidateId = Compose.Id, Provider = ForgeProvider.GitLab, Number = 7, Url = "https://gitlab.example.org/compose/repo/-/merge_requests/7",
                SourceBranch = $"candidates/{Stream}/{Compose.Id}", TargetBranch = "main", State = MergeRequestState.Opened,
            });
            return db.SaveChangesAsync();
        });
        await Services.GetRequiredService<UserAdministration>().CreateAsync(Principals.Admin, new("tom", "Tom-Pass-2026", ["Tester"], ForgeUsername: "tom.gl"));
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// Input that used to end in a 500, or was stored although it should not be: each is a 400 problem naming the field,
/// and every table holds as many rows afterwards as before.
/// </summary>
public sealed class BadInputTests(BadInputApp app) : IClassFixture<BadInputApp>
{
    private const string Candidate = "CentOS-Stream-10-20261120.0";
    private static long nextNoteId = 5000;

    [Theory]
    [InlineData("/api/v1/streams", "{\"name\":\"utf8\",\"kind\":\"compose\",\"description\":\"caf%C3\"}", "$.description")]
    [InlineData("/api/v1/streams", "{\"name\":\"utf8\",\"kind\":\"compose\",\"description\":\"%FF%FE\"}", "$.description")]
    [InlineData("/api/v1/streams", "{\"name\":\"utf8\",\"kind\":\"compose\",\"description\":\"\\ud800\"}", "$.description")]
    [InlineData($"/api/v1/candidates/{Candidate}/votes", "{\"value\":1,\"comment\":\"%C3%28\"}", "$.comment")]
    [InlineData($"/api/v1/candidates/{Candidate}/results", "{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"data\":{\"arch\":[\"x86_64\",\"%ED%A0%80\"]}}", "$.data.arch[1]")]
    [InlineData("/api/v2.0/results", "{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"data\":{\"item\":\"%FF\"}}", "$.data.item")]
    [InlineData($"/api/v1/streams/{BadInputApp.Stream}/candidates", "{\"url\":\"/srv/%F0%28%8C%BC\"}", "$.url")]
    [InlineData("/api/v1/checklists", "{\"name\":\"utf8\",\"title\":\"T\",\"items\":[{\"key\":\"a\",\"title\":\"A%80\"}]}", "$.items[0].title")]
    public async Task Post_InvalidUtf8_Is400NamingThePathAndStoresNothing(string path, string body, string field)
    {
        await AssertRefusedAsync(HttpMethod.Post, path, Raw(body), "application/json", field);
    }

    [Theory]
    [InlineData("/api/v1/streams", "{\"name\":\"nul\",\"kind\":\"compose\",\"description\":\"before\\u0000after\"}", "$.description")]
    [InlineData("/api/v1/streams", "{\"name\":\"nul\",\"kind\":\"compose\",\"description\\u0000\":\"x\"}", "$['description\\u0000']")]
    [InlineData($"/api/v1/candidates/{Candidate}/votes", "{\"value\":-1,\"comment\":\"\\u0000\"}", "$.comment")]
    [InlineData($"/api/v1/candidates/{Candidate}/results", "{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"note\":\"a\\u0000\"}", "$.note")]
    [InlineData($"/api/v1/candidates/{Candidate}/results", "{\"testcase\":\"t\",\"outcome\":\"PASSED\",\"data\":{\"k\":[\"\\u0000\"]}}", "$.data.k[0]")]
    [InlineData("/api/v2.0/results", "{\"testcase\":{\"name\":\"t\\u0000\"},\"outcome\":\"PASSED\",\"data\":{\"item\":\"" + Candidate + "\"}}", "$.testcase.name")]
    [InlineData($"/api/v1/candidates/{Candidate}/waivers", "{\"testcase\":\"t\",\"reason\":\"flaky\\u0000\"}", "$.reason")]
    [InlineData($"/api/v1/candidates/{Candidate}/reject", "{\"reason\":\"\\u0000\"}", "$.reason")]
    [InlineData("/api/v1/checklists", "{\"name\":\"nul\",\"title\":\"T\",\"items\":[{\"key\":\"a\",\"title\":\"A\",\"instructions\":\"run \\u0000\"}]}", "$.items[0].instructions")]
    [InlineData("/api/v1/tokens", "{\"name\":\"nul\",\"role\":\"Viewer\",\"testcases\":[\"a.*\",\"b\\u0000\"]}", "$.testcases[1]")]
    [InlineData($"/api/v1/streams/{BadInputApp.Stream}/candidates", "{\"image\":\"quay.io/a/b\\u0000\",\"tag\":\"main\"}", "$.image")]
    public async Task Post_NulInText_Is400NamingTheFieldAndStoresNothing(string path, string body, string field)
    {
        await AssertRefusedAsync(HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), "application/json", field);
    }

    [Theory]
    [InlineData("requires:\n  - testcase: t%00x\n", "line 2")]
    [InlineData("requires:\n  - testcase: t\n  - soak: 2%FFh\n", "line 3")]
    public async Task PutPolicy_NulOrInvalidUtf8_Is400NamingTheLineAndStoresNothing(string yaml, string line)
    {
        await AssertRefusedAsync(HttpMethod.Put, $"/api/v1/streams/{BadInputApp.Stream}/policy", Raw(yaml), "text/yaml", line);
    }

    [Fact]
    public async Task PutCheckItem_NulInComment_Is400AndRecordsNothing()
    {
        using var admin = app.CreateAdminClient();
        var run = await (await admin.PostAsJsonAsync($"/api/v1/candidates/{Candidate}/checklists", new { template = "gitpod-workspace" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var key = run.GetProperty("items")[0].GetProperty("key").GetString();

        await AssertRefusedAsync(HttpMethod.Put, $"/api/v1/checklist-runs/{run.GetProperty("id").GetInt64()}/items/{key}",
            Encoding.UTF8.GetBytes("{\"state\":\"passed\",\"comment\":\"ok\\u0000\"}"), "application/json", "$.comment");
    }

    [Theory]
    [InlineData("object_kind", "5", "$.object_kind")]
    [InlineData("user", "\"tom.gl\"", "$.user")]
    [InlineData("user", "{\"username\":[\"tom.gl\"]}", "$.user.username")]
    [InlineData("merge_request", "{\"iid\":\"7\"}", "$.merge_request.iid")]
    [InlineData("merge_request", "{\"iid\":7.5}", "$.merge_request.iid")]
    [InlineData("object_attributes", "{\"id\":{},\"note\":\"/approve\"}", "$.object_attributes.id")]
    [InlineData("object_attributes", "{\"id\":1,\"note\":{\"text\":\"/approve\"}}", "$.object_attributes.note")]
    [InlineData("object_attributes", "{\"id\":1,\"note\":\"/approve\",\"system\":\"false\"}", "$.object_attributes.system")]
    [InlineData("object_attributes", "{\"id\":1,\"note\":\"/approve \\u0000\"}", "$.object_attributes.note")]
    public async Task GitLabHook_WrongTypedFieldOrNul_Is400NamingItAndActsOnNothing(string property, string value, string field)
    {
        await AssertRefusedAsync(HttpMethod.Post, "/hooks/gitlab", Encoding.UTF8.GetBytes(NoteHook(property, value)), "application/json", field,
            request => request.Headers.Add("X-Gitlab-Token", BadInputApp.HookSecret));
    }

    [Fact]
    public async Task GitLabHook_WellTypedNote_Votes()
    {
        // The control for the test above: the same hook, correctly typed, is acted on.
        using var gitlab = app.CreateClient(bearer: null);
        var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/gitlab") { Content = new StringContent(NoteHook(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Gitlab-Token", BadInputApp.HookSecret);

        var response = await gitlab.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("vote", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString());
    }

    [Fact]
    public async Task SaveChecklist_NullItem_Is400NamingTheItemAndStoresNothing()
    {
        const string body = "{\"name\":\"nulls\",\"title\":\"Nulls\",\"items\":[{\"key\":\"a\",\"title\":\"A\"},null]}";

        var problem = await AssertRefusedAsync(HttpMethod.Post, "/api/v1/checklists", Encoding.UTF8.GetBytes(body), "application/json", "items[1]");

        Assert.DoesNotContain("items[0].key", problem.Errors.Keys);
    }

    [Fact]
    public async Task Vote_NumberAsString_Is400NamingValueAndStoresNothing()
    {
        await AssertRefusedAsync(HttpMethod.Post, $"/api/v1/candidates/{Candidate}/votes", "{\"value\":\"1\",\"comment\":\"fine\"}"u8.ToArray(),
            "application/json", "$.value");
    }

    [Theory]
    [InlineData("20261350")]
    [InlineData("20260230")]
    [InlineData("20260000")]
    public async Task Submit_ImpossibleComposeDate_Is400NamingItsPathAndStoresNothing(string date)
    {
        var compose = new TestCompose("CentOS-Stream-10-20261121.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
        var body = compose.Body().Replace("\"date\":\"20261121\"", $"\"date\":\"{date}\"", StringComparison.Ordinal);
        Assert.Contains(date, body);

        await AssertRefusedAsync(HttpMethod.Post, $"/api/v1/streams/{BadInputApp.Stream}/candidates", Encoding.UTF8.GetBytes(body), "application/json",
            "$.composeinfo.payload.compose.date");
    }

    [Fact]
    public async Task Waive_ChecklistWithoutTemplate_Is400NamingTestcaseAndStoresNothing()
    {
        var problem = await AssertRefusedAsync(HttpMethod.Post, $"/api/v1/candidates/{Candidate}/waivers",
            "{\"testcase\":\"checklist.no-such-template\",\"reason\":\"not run this time\"}"u8.ToArray(), "application/json", "testcase");
        Assert.Contains("no-such-template", problem.Errors["testcase"].Single());

        using var admin = app.CreateAdminClient();
        var shipped = await admin.PostAsJsonAsync($"/api/v1/candidates/{Candidate}/waivers", new { testcase = "checklist.gitpod-workspace", reason = "not run this time" });
        Assert.Equal(HttpStatusCode.Created, shipped.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/candidates?limit=0")]
    [InlineData("/api/v1/candidates?limit=501")]
    [InlineData("/api/v1/candidates?limit=99999999999")]
    [InlineData("/api/v2.0/results?limit=0")]
    [InlineData("/api/v2.0/results?limit=1001")]
    [InlineData("/api/v2.0/results?limit=ten")]
    [InlineData($"/api/v1/streams/{BadInputApp.Stream}/announcements?limit=0")]
    [InlineData($"/api/v1/streams/{BadInputApp.Stream}/announcements?limit=501")]
    public async Task List_LimitOutOfRange_Is400NamingLimit(string path)
    {
        using var admin = app.CreateAdminClient();

        var problem = await Problem.ReadAsync(await admin.GetAsync(path), HttpStatusCode.BadRequest);

        Assert.Equal(["limit"], problem.Errors.Keys);
    }

    [Fact]
    public async Task ResultsDbSearch_PageTimesLimitOverflows_Is400NamingPage()
    {
        using var admin = app.CreateAdminClient();
        var last = int.MaxValue / 1000;

        var beyond = await Problem.ReadAsync(await admin.GetAsync($"/api/v2.0/results?limit=1000&page={last + 1}"), HttpStatusCode.BadRequest);
        var atTheEnd = await admin.GetAsync($"/api/v2.0/results?limit=1000&page={last}");

        Assert.Equal(["page"], beyond.Errors.Keys);
        Assert.Equal(HttpStatusCode.OK, atTheEnd.StatusCode);
        Assert.Equal(0, (await atTheEnd.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetArrayLength());
    }

    /// <summary>Sends the body as the bootstrap admin (or as <paramref name="prepare"/> says) and checks the refusal and that nothing was stored.</summary>
    private async Task<Problem> AssertRefusedAsync(HttpMethod method, string path, byte[] body, string contentType, string field,
        Action<HttpRequestMessage>? prepare = null)
    {
        using var client = prepare is null ? app.CreateAdminClient() : app.CreateClient(bearer: null);
        var before = await StoredRows.CountAsync(app);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var request = new HttpRequestMessage(method, path) { Content = content };
        prepare?.Invoke(request);

        var problem = await Problem.ReadAsync(await client.SendAsync(request), HttpStatusCode.BadRequest);

        Assert.True(problem.Errors.ContainsKey(field), $"errors name {string.Join(", ", problem.Errors.Keys)}, not {field}");
        Assert.Equal(before, await StoredRows.CountAsync(app));
        return problem;
    }

    /// <summary>
    /// A GitLab note event "/approve" on !7 by tom.gl, as GitLab sends it (each with its own note id), with the raw JSON
    /// <paramref name="value"/> in place of top-level <paramref name="property"/>.
    /// </summary>
    private static string NoteHook(string? property = null, string? value = null)
    {
        var parts = new Dictionary<string, string>
        {
            ["object_kind"] = "\"note\"",
            ["event_type"] = "\"note\"",
            ["user"] = "{\"id\":42,\"name\":\"Tom\",\"username\":\"tom.gl\"}",
            ["merge_request"] = "{\"id\":700,\"iid\":7,\"state\":\"opened\"}",
            ["object_attributes"] = $"{{\"id\":{Interlocked.Increment(ref nextNoteId)},\"note\":\"/approve\",\"noteable_type\":\"MergeRequest\",\"system\":false,\"action\":\"create\"}}",
        };
        if (property is not null)
        {
            parts[property] = value!;
        }
        return "{" + string.Join(",", parts.Select(p => $"\"{p.Key}\":{p.Value}")) + "}";
    }

    /// <summary>UTF-8 of <paramref name="text"/>, with each <c>%XX</c> written as that raw byte (to build invalid UTF-8).</summary>
    private static byte[] Raw(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }
        return bytes.ToArray();
    }
}

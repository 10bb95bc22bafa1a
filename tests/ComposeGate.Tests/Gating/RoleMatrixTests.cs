using System.Net;
using System.Net.Http.Json;
using System.Text;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.Tests.Gating;

/// <summary>
/// Who may do what, for every gating endpoint and every role: Viewer reads; Reporter reports; Tester also votes
/// and fills checklists; ReleaseEngineer also waives and submits candidates; Admin also manages streams,
/// policies, templates and tokens. Anonymous is 401 everywhere.
/// </summary>
public sealed class RoleMatrixTests : IClassFixture<ComposeGateFactory>
{
    private const string Candidate = "CentOS-Stream-10-20261120.0";
    private static readonly string[] Roles = ["Viewer", "Reporter", "Tester", "ReleaseEngineer", "Admin"];
    private static readonly TestCompose Compose = new(Candidate, [new("bash", "0:5.2.26-4.el10", "bash")]);
    private readonly ComposeGateFactory app;

    public RoleMatrixTests(ComposeGateFactory app)
    {
        this.app = app;
        using var admin = app.CreateAdminClient();
        admin.PostAsJsonAsync("/api/v1/streams", new { name = "matrix", kind = "compose" }).GetAwaiter().GetResult();
        admin.PostAsync("/api/v1/streams/matrix/candidates", Compose.Content()).GetAwaiter().GetResult();
    }

    public static TheoryData<string, string, string, string> Endpoints => new()
    {
        // method, path, body (json, or yaml: prefix), least role
        { "GET", $"/api/v1/candidates/{Candidate}/decision", "", "Viewer" },
        { "GET", $"/api/v1/candidates/{Candidate}/results", "", "Viewer" },
        { "GET", $"/api/v1/candidates/{Candidate}/events", "", "Viewer" },
        { "GET", $"/api/v1/candidates/{Candidate}/votes", "", "Viewer" },
        { "GET", $"/api/v1/candidates/{Candidate}/waivers", "", "Viewer" },
        { "GET", "/api/v1/checklists", "", "Viewer" },
        { "GET", $"/api/v1/candidates/{Candidate}/promotion", "", "Viewer" },
        { "GET", "/api/v1/jobs", "", "Viewer" },
        { "GET", "/api/v1/bus", "", "Viewer" },
        { "GET", "/api/v1/streams/matrix/announcements", "", "Viewer" },
        { "GET", "/api/v2.0/results", "", "Viewer" },
        { "POST", $"/api/v1/candidates/{Candidate}/results", "{\"testcase\":\"matrix.t\",\"outcome\":\"PASSED\"}", "Reporter" },
        { "POST", "/api/v2.0/results", $"{{\"testcase\":\"matrix.t\",\"outcome\":\"PASSED\",\"data\":{{\"item\":\"{Candidate}\"}}}}", "Reporter" },
        { "POST", $"/api/v1/candidates/{Candidate}/votes", "{\"value\":1,\"comment\":\"ok\"}", "Tester" },
        { "POST", $"/api/v1/candidates/{Candidate}/checklists", "{\"template\":\"gitpod-workspace\"}", "Tester" },
        { "POST", $"/api/v1/candidates/{Candidate}/waivers", "{\"testcase\":\"matrix.t\",\"reason\":\"r\"}", "ReleaseEngineer" },
        { "POST", "/api/v1/streams/matrix/candidates", "{\"url\":\"/nonexistent\"}", "ReleaseEngineer" },
        { "POST", $"/api/v1/candidates/{Candidate}/promote", "", "ReleaseEngineer" },
        { "POST", $"/api/v1/candidates/{Candidate}/reject", "{}", "ReleaseEngineer" },
        { "POST", $"/api/v1/candidates/{Candidate}/promotion/cancel", "", "ReleaseEngineer" },
        { "POST", "/api/v1/jobs/decision-refresh/run", "", "ReleaseEngineer" },
        { "POST", "/api/v1/streams/matrix/announcements/1/retry", "", "ReleaseEngineer" },
        { "PUT", "/api/v1/streams/matrix/policy", "yaml:requires:\n  - testcase: matrix.t\n", "Admin" },
        { "POST", "/api/v1/checklists", "{\"name\":\"matrix\",\"title\":\"Matrix\",\"items\":[{\"key\":\"a\",\"title\":\"A\",\"required\":true}]}", "Admin" },
        { "POST", "/api/v1/streams", "{\"name\":\"matrix-2\",\"kind\":\"image\"}", "Admin" },
        { "POST", "/api/v1/tokens", "{\"name\":\"matrix-token\",\"role\":\"Viewer\"}", "Admin" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_EachRole_IsAllowedOrForbiddenByItsRank(string method, string path, string body, string least)
    {
        using var anonymous = app.CreateClient(bearer: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request(method, path, body))).StatusCode);

        foreach (var role in Roles)
        {
            using var client = app.CreateClient(await app.MintTokenAsync($"matrix-{role}-{Guid.NewGuid():N}"[..40], role));
            var response = await client.SendAsync(Request(method, path, body));
            var allowed = Array.IndexOf(Roles, role) >= Array.IndexOf(Roles, least);
            if (allowed)
            {
                Assert.True(response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized),
                    $"{role} {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            else
            {
                await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
            }
        }
    }

    private static HttpRequestMessage Request(string method, string path, string body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.StartsWith("yaml:", StringComparison.Ordinal))
        {
            request.Content = new StringContent(body["yaml:".Length..], Encoding.UTF8, "text/yaml");
        }
        else if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return request;
    }
}

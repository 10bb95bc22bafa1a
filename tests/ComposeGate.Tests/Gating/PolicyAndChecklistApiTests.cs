using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Gating;

public sealed class PolicyAndChecklistApiTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public PolicyAndChecklistApiTests(ComposeGateFactory app)
    {
        this.app = app;
        using var admin = app.CreateAdminClient();
        admin.PostAsJsonAsync("/api/v1/streams", new { name = "policies", kind = "compose" }).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Policy_InvalidYaml_Is400WithLineNumbersAndStoresNothing()
    {
        using var admin = app.CreateAdminClient();
        const string yaml = "requires:\n  - testcase: t_functional\n  - votes: { min: 2, role: Releng }\n  - soak: two hours\n  - checklist: no-such-template\nfast: yes\n";

        var response = await admin.PutAsync("/api/v1/streams/policies/policy", new StringContent(yaml, Encoding.UTF8, "text/yaml"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("line 3", problem.Errors.Keys);
        Assert.Contains("line 4", problem.Errors.Keys);
        Assert.Contains("line 5", problem.Errors.Keys);
        Assert.Contains("line 6", problem.Errors.Keys);
        Assert.Contains("Releng", string.Join(" ", problem.Errors["line 3"]));
        await Problem.ReadAsync(await admin.GetAsync("/api/v1/streams/policies/policy"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Policy_SavedVersionsAndReadBackAsJsonOrYaml()
    {
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "versioned", kind = "compose" });
        const string first = "requires:\n  - testcase: t_functional\n";
        const string second = "requires:\n  - testcase: t_functional\n  - soak: 2h\npromote: manual\n";

        var created = await admin.PutAsync("/api/v1/streams/versioned/policy", new StringContent(first, Encoding.UTF8, "text/yaml"));
        var same = await admin.PutAsync("/api/v1/streams/versioned/policy", new StringContent(first, Encoding.UTF8, "text/yaml"));
        var next = await admin.PutAsync("/api/v1/streams/versioned/policy", new StringContent(second, Encoding.UTF8, "text/yaml"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        var current = await admin.GetFromJsonAsync<JsonElement>("/api/v1/streams/versioned/policy");
        Assert.Equal(2, current.GetProperty("version").GetInt32());
        Assert.Equal("bootstrap-admin", current.GetProperty("createdBy").GetString());
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/streams/versioned/policy?version=1");
        request.Headers.Accept.ParseAdd("text/yaml");
        Assert.Equal(first, await (await admin.SendAsync(request)).Content.ReadAsStringAsync());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>("/api/v1/streams/versioned/policy/versions")).GetArrayLength());
        await Problem.ReadAsync(await admin.PutAsync("/api/v1/streams/versioned/policy", new StringContent(first, Encoding.UTF8, "application/json")),
            HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Checklist_GitpodTemplateIsSeeded()
    {
        using var admin = app.CreateAdminClient();

        var template = await admin.GetFromJsonAsync<JsonElement>("/api/v1/checklists/gitpod-workspace");

        Assert.Equal(1, template.GetProperty("version").GetInt32());
        var items = template.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("key").GetString() == "gdk-update" && i.GetProperty("required").GetBoolean());
        Assert.Contains(items, i => !i.GetProperty("required").GetBoolean());
    }

    [Fact]
    public async Task Checklist_EditingMakesANewVersion_RunsKeepTheirs()
    {
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "runs", kind = "compose" });
        var compose = new TestCompose("CentOS-Stream-10-20261121.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
        await admin.PostAsync("/api/v1/streams/runs/candidates", compose.Content());
        var v1 = new { name = "smoke", title = "Smoke test", items = new object[] { new { key = "boot", title = "It boots", instructions = "Boot it.", required = true } } };
        var v2 = new
        {
            name = "smoke",
            title = "Smoke test",
            items = new object[]
            {
                new { key = "boot", title = "It boots", instructions = "Boot it.", required = true },
                new { key = "login", title = "Log in", instructions = "Log in as root.", required = true },
            },
        };

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/checklists", v1)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/checklists", v1)).StatusCode);
        var run = await (await admin.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/checklists", new { template = "smoke" })).Content.ReadFromJsonAsync<JsonElement>();
        var edited = await admin.PostAsJsonAsync("/api/v1/checklists", v2);

        Assert.Equal(2, (await edited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        var runId = run.GetProperty("id").GetInt64();
        var done = await (await admin.PutAsJsonAsync($"/api/v1/checklist-runs/{runId}/items/boot", new { state = "passed", comment = "fine" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, done.GetProperty("version").GetInt32());
        Assert.Equal("passed", done.GetProperty("outcome").GetString());
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("finished").ValueKind);
        await Problem.ReadAsync(await admin.PutAsJsonAsync($"/api/v1/checklist-runs/{runId}/items/login", new { state = "passed" }), HttpStatusCode.NotFound);
        Assert.Contains("state", (await Problem.ReadAsync(
            await admin.PutAsJsonAsync($"/api/v1/checklist-runs/{runId}/items/boot", new { state = "maybe" }), HttpStatusCode.BadRequest)).Errors.Keys);
        var invalid = await admin.PostAsJsonAsync("/api/v1/checklists", new { name = "Bad Name", title = "", items = Array.Empty<object>() });
        var problem = await Problem.ReadAsync(invalid, HttpStatusCode.BadRequest);
        Assert.Contains("name", problem.Errors.Keys);
        Assert.Contains("title", problem.Errors.Keys);
        Assert.Contains("items", problem.Errors.Keys);
        Assert.Equal(2, await app.WithDbAsync(db => db.ChecklistTemplates.CountAsync(t => t.Name == "smoke")));
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using ComposeGate.Candidates.Demo;
using ComposeGate.Web.Features.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests.Security;

/// <summary>
/// Every role that writes stores hostile text in every field it can write, through the API as it would; then an admin
/// opens every page that shows those fields in Chromium. Nothing may run, and no event-handler attribute, javascript:
/// or data: URL may reach the DOM — while the text itself is shown, so the test is not passing on empty pages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HostileTextTests(BrowserFixture app)
{
    private static readonly ClaimsPrincipal Admin =
        new(new ClaimsIdentity([new(ClaimTypes.Name, "admin"), new(ClaimTypes.Role, "Admin")], "test"));

    [Fact]
    public async Task StoredHostileText_FromEveryWriter_NeverRunsOnAnyPage()
    {
        var scene = await StoreHostileTextAsync();

        var page = await app.NewPageAsync();
        var calls = new List<string>();
        await page.Context.ExposeFunctionAsync("pwned", () =>
        {
            lock (calls)
            {
                calls.Add(page.Url);
            }
        });
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        await page.Context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => (window.__cspViolations ||= []).push(e.violatedDirective + ' ' + e.blockedURI));");
        await BrowserFixture.SignInAsync(page);

        var shown = new HashSet<string>();
        foreach (var (path, fields) in scene.Pages)
        {
            await page.GotoAsync(path);
            await BrowserFixture.WaitInteractiveAsync(page);
            foreach (var field in fields)
            {
                try
                {
                    // Hidden tabs count: the text is in the page, one click away.
                    await page.WaitForFunctionAsync("marker => document.body.textContent.includes(marker)", HostileText.Marker(field));
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"{path} never showed the {field}: {await page.InnerTextAsync("main")}");
                }
                shown.Add(field);
            }
            // Hover and click where the text is, as a person reading it would.
            foreach (var link in await page.Locator(".cg-markdown a, .cg-markdown img").AllAsync())
            {
                await link.HoverAsync(new() { Force = true, Timeout = 2_000 });
            }
            var problems = await page.EvaluateAsync<string[]>(DomProblemsScript);
            Assert.True(problems.Length == 0, $"{path}: {string.Join("; ", problems)}");
            var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []");
            Assert.True(violations.Length == 0, $"{path}: the page needed what the CSP refuses: {string.Join("; ", violations)}");
        }

        Assert.Empty(calls);
        Assert.Empty(dialogs);
        Assert.Superset(scene.Fields.ToHashSet(), shown);
        await page.Context.CloseAsync();
    }

    /// <summary>Every on* attribute, and every URL attribute a browser would read as javascript:, data: or vbscript:.</summary>
    private const string DomProblemsScript = """
        () => {
          const problems = [];
          for (const element of document.querySelectorAll('*')) {
            for (const attribute of element.attributes) {
              const name = attribute.name.toLowerCase();
              if (name.startsWith('on')) problems.push(`${element.tagName} ${name}="${attribute.value}"`);
              if (['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'data'].includes(name)) {
                const url = attribute.value.replace(/[\u0000-\u0020\u007f]/g, '').toLowerCase();
                if (/^(javascript|data|vbscript):/.test(url)) problems.push(`${element.tagName} ${name}="${attribute.value}"`);
              }
            }
          }
          return problems;
        }
        """;

    private async Task<Scene> StoreHostileTextAsync()
    {
        using var admin = app.CreateApiClient();
        var users = app.Services.GetRequiredService<UserAdministration>();
        await users.CreateAsync(Admin, new("xss-tess", "Tess-Tester-2026", ["Tester"]));
        await users.CreateAsync(Admin, new("xss-rhea", "Rhea-Releng-2026", ["ReleaseEngineer"]));
        using var reporter = Bearer(await MintAsync(admin, new { name = "xss-bot", role = "Reporter" }));
        using var tester = Bearer(await MintAsync(admin, new { name = "xss-tess-token", role = "Tester", user = "xss-tess" }));
        using var releng = Bearer(await MintAsync(admin, new { name = "xss-rhea-token", role = "ReleaseEngineer", user = "xss-rhea" }));

        // Admin: a checklist whose every text is hostile, and the policy that needs it.
        await Ok(admin.PostAsJsonAsync("/api/v1/checklists", new
        {
            name = "hostile-list",
            title = HostileText.Payload("checklist-title"),
            description = HostileText.Payload("checklist-description"),
            items = new object[]
            {
                new { key = "one", title = HostileText.Payload("item-title"), instructions = HostileText.Payload("item-instructions"), required = true },
            },
        }));
        var policy = new StringContent("requires:\n  - testcase: hostile.smoke\n  - checklist: hostile-list\npromote: manual\n", Encoding.UTF8, "text/yaml");
        policy.Headers.Add("X-Policy-Comment", HostileText.Payload("policy-comment"));
        await Ok(admin.PutAsync($"/api/v1/streams/{HostileText.Stream}/policy", policy));

        var promoted = await IngestAsync(admin, "20261215");
        var rejected = await IngestAsync(admin, "20261214");

        // Reporter: scenario and note, on our API and on the ResultsDB one.
        await Ok(reporter.PostAsJsonAsync($"/api/v1/candidates/{promoted}/results",
            new { testcase = "hostile.smoke", outcome = "PASSED", scenario = HostileText.Payload("scenario"), note = HostileText.Payload("result-note") }));
        await Ok(reporter.PostAsJsonAsync($"/api/v1/candidates/{rejected}/results",
            new { testcase = "hostile.smoke", outcome = "FAILED", scenario = HostileText.Payload("scenario"), note = HostileText.Payload("result-note") }));
        await Ok(reporter.PostAsJsonAsync("/api/v2.0/results", new
        {
            testcase = "hostile.other",
            outcome = "FAILED",
            note = HostileText.Payload("resultsdb-note"),
            data = new { item = rejected, scenario = HostileText.Payload("resultsdb-scenario") },
        }));

        // Tester: votes with comments, and a checklist run whose item comment is hostile.
        await Ok(tester.PostAsJsonAsync($"/api/v1/candidates/{promoted}/votes", new { value = 1, comment = HostileText.Payload("vote-comment") }));
        await Ok(tester.PostAsJsonAsync($"/api/v1/candidates/{rejected}/votes", new { value = -1, comment = HostileText.Payload("vote-comment") }));
        var run = await Json(tester.PostAsJsonAsync($"/api/v1/candidates/{rejected}/checklists", new { template = "hostile-list" }));
        var runId = run.GetProperty("id").GetInt64();
        await Ok(tester.PutAsJsonAsync($"/api/v1/checklist-runs/{runId}/items/one", new { state = "failed", comment = HostileText.Payload("item-comment") }));

        // Release engineer: waiver reasons, a reject reason, and a promotion the hostile receiver refuses.
        await Ok(releng.PostAsJsonAsync($"/api/v1/candidates/{promoted}/waivers",
            new { testcase = "checklist.hostile-list", reason = HostileText.Payload("waiver-reason") }));
        await Ok(releng.PostAsJsonAsync($"/api/v1/candidates/{rejected}/waivers",
            new { testcase = "hostile.smoke", scenario = HostileText.Payload("scenario"), reason = HostileText.Payload("waiver-reason") }));
        var promotedRequest = await MergeRequestAsync(admin, promoted);
        var rejectedRequest = await MergeRequestAsync(admin, rejected);
        await Ok(releng.PostAsJsonAsync($"/api/v1/candidates/{rejected}/reject", new { reason = HostileText.Payload("reject-reason") }));
        await Ok(releng.PostAsync($"/api/v1/candidates/{promoted}/promote", null));
        var issue = await IssueAsync(admin, promoted);
        await WaitAsync(async () => (await Json(admin.GetAsync($"/api/v1/candidates/{rejected}"))).GetProperty("mergeRequest").GetProperty("state").GetString() == "closed");

        return new Scene(
        [
            ("/", ["stream-description"]),
            ("/streams", ["stream-description"]),
            ($"/candidates/{promoted}", ["scenario", "result-note", "vote-comment", "waiver-reason", "webhook-reason"]),
            ($"/candidates/{rejected}", ["scenario", "result-note", "resultsdb-note", "resultsdb-scenario", "vote-comment", "waiver-reason", "reject-reason", "checklist-title"]),
            (promotedRequest, ["scenario", "waiver-reason"]),
            (rejectedRequest, ["waiver-reason", "reject-reason"]),
            ("/issues", []),
            (issue, ["webhook-reason"]),
            ($"/checklist-runs/{runId}", ["checklist-title", "checklist-description", "item-title", "item-instructions", "item-comment"]),
            ("/checklists", ["checklist-title"]),
            ($"/policies/{HostileText.Stream}", ["policy-comment"]),
            ("/jobs", []),
            ("/candidates", []),
        ]);
    }

    private async Task<string> IngestAsync(HttpClient admin, string date)
    {
        var compose = SyntheticCompose.Generate(new() { SourcePackageCount = 12, Date = date, Seed = 12 });
        var dir = compose.WriteTo(Path.Combine(Path.GetTempPath(), "composegate-hostile", Guid.NewGuid().ToString("N")));
        await Ok(admin.PostAsJsonAsync($"/api/v1/streams/{HostileText.Stream}/candidates", new { url = dir }));
        return compose.ComposeId;
    }

    private static async Task<string> MergeRequestAsync(HttpClient admin, string candidate)
    {
        string? url = null;
        await WaitAsync(async () =>
        {
            var found = await Json(admin.GetAsync($"/api/v1/candidates/{candidate}"));
            url = found.TryGetProperty("mergeRequest", out var mr) && mr.ValueKind == JsonValueKind.Object ? mr.GetProperty("url").GetString() : null;
            return url is not null;
        });
        return url!;
    }

    private static async Task<string> IssueAsync(HttpClient admin, string candidate)
    {
        string? url = null;
        await WaitAsync(async () =>
        {
            var issues = (await Json(admin.GetAsync($"/api/v1/candidates/{candidate}"))).GetProperty("issues");
            url = issues.GetArrayLength() > 0 ? issues[0].GetProperty("url").GetString() : null;
            return url is not null;
        });
        return url!;
    }

    /// <summary>Waits for background work (the forge, the promotion) to reach a state: a condition, not a time limit.</summary>
    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("The background work never got there.");
    }

    private static async Task<string> MintAsync(HttpClient admin, object request) =>
        (await Json(admin.PostAsJsonAsync("/api/v1/tokens", request))).GetProperty("token").GetString()!;

    private HttpClient Bearer(string token)
    {
        var client = app.CreateApiClient(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task Ok(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<JsonElement> Json(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private sealed record Scene(IReadOnlyList<(string Path, string[] Fields)> Pages)
    {
        public IEnumerable<string> Fields => Pages.SelectMany(p => p.Fields).Distinct();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Access;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Security;

/// <summary>
/// A signed-in browser may write to the API only from ComposeGate's own pages: another origin (another port of the
/// same host included), a same-site page, or a request that says nothing about where it comes from is refused
/// before anything changes. Bearer tokens, reads and anonymous requests are not affected.
/// </summary>
public sealed class CookieOriginTests : IClassFixture<CookieOriginTests.SignedInApp>
{
    private const string Candidate = "CentOS-Stream-10-20261122.0";
    private const string OurOrigin = "http://localhost";
    private const string OtherPort = "http://localhost:8081";
    private readonly SignedInApp app;

    public CookieOriginTests(SignedInApp app) => this.app = app;

    /// <summary>The app with a stream whose policy is unmet, and a browser signed in as admin through the real form.</summary>
    public sealed class SignedInApp : ComposeGateFactory, IAsyncLifetime
    {
        public HttpClient Browser { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            using var admin = CreateAdminClient();
            await admin.CreateStreamAsync("origins");
            (await admin.PutAsync("/api/v1/streams/origins/policy", new StringContent("requires:\n  - testcase: t.required\n", Encoding.UTF8, "text/yaml")))
                .EnsureSuccessStatusCode();
            var compose = new TestCompose(Candidate, [new("bash", "0:5.2.26-4.el10", "bash")]);
            (await admin.PostAsync("/api/v1/streams/origins/candidates", compose.Content())).EnsureSuccessStatusCode();
            Browser = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(Browser, "admin", AdminPassword)).StatusCode);
        }

        Task IAsyncLifetime.DisposeAsync()
        {
            Browser.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>An API write, what it answers when let through, and how much of what it writes is stored.</summary>
    public sealed record Write(string Name, string Path, string? Json, HttpStatusCode Accepted, Func<ComposeGateFactory, Task<int>> Stored)
    {
        public override string ToString() => Name;
    }

    private static readonly Write[] Writes =
    [
        // Bodyless: the easiest to forge from a plain HTML form or fetch() on another port.
        new("job run", "/api/v1/jobs/decision-refresh/run", null, HttpStatusCode.Accepted,
            app => app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Kind == "job.triggered"))),
        // Also bodyless; the unmet policy makes an admitted promote a 409 that starts nothing.
        new("promote", $"/api/v1/candidates/{Candidate}/promote", null, HttpStatusCode.Conflict,
            app => app.WithDbAsync(db => db.PromotionAttempts.CountAsync(a => a.CandidateId == Candidate))),
        new("vote", $"/api/v1/candidates/{Candidate}/votes", """{"value":-1,"comment":"forged?"}""", HttpStatusCode.Created,
            app => app.WithDbAsync(db => db.Votes.CountAsync(v => v.CandidateId == Candidate))),
        new("ResultsDB result", "/api/v2.0/results", $$$"""{"testcase":"t.origin","outcome":"FAILED","data":{"item":"{{{Candidate}}}"}}""",
            HttpStatusCode.Created, app => app.WithDbAsync(db => db.Results.CountAsync(r => r.CandidateId == Candidate))),
    ];

    public static TheoryData<string> WriteNames => new(Writes.Select(w => w.Name));

    /// <summary>Origin and Sec-Fetch-Site as a browser sends them from a page that is not ours ("" = not sent).</summary>
    private static readonly (string Origin, string FetchSite)[] Foreign =
    [
        (OtherPort, ""),
        ("https://evil.example", ""),
        ("null", ""),
        (OurOrigin + "/", ""),
        ("", "same-site"),
        ("", "cross-site"),
        ("", ""),
        (OtherPort, "same-origin"),
    ];

    public static TheoryData<string, string, string> ForeignWrites()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var write in Writes)
        {
            foreach (var (origin, fetchSite) in Foreign)
            {
                data.Add(write.Name, origin, fetchSite);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ForeignWrites))]
    public async Task CookieWrite_NotFromOurPages_Is403AndStoresNothing(string write, string origin, string fetchSite)
    {
        var target = Writes.Single(w => w.Name == write);
        var before = await target.Stored(app);

        var response = await app.Browser.SendAsync(Request(target, origin, fetchSite));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(ApiOriginCheck.Refusal, problem.Detail);
        Assert.Equal(before, await target.Stored(app));
    }

    [Theory]
    [MemberData(nameof(WriteNames))]
    public async Task CookieWrite_WithOurOrigin_IsAccepted(string write)
    {
        var target = Writes.Single(w => w.Name == write);

        var exact = await app.Browser.SendAsync(Request(target, OurOrigin, ""));
        var otherCase = await app.Browser.SendAsync(Request(target, "HTTP://LocalHost", ""));

        Assert.Equal(target.Accepted, exact.StatusCode);
        Assert.Equal(target.Accepted, otherCase.StatusCode);
    }

    [Theory]
    [MemberData(nameof(WriteNames))]
    public async Task CookieWrite_SameOriginFetchWithoutOrigin_IsAccepted(string write)
    {
        var target = Writes.Single(w => w.Name == write);
        var before = await target.Stored(app);

        var response = await app.Browser.SendAsync(Request(target, "", "same-origin"));

        Assert.Equal(target.Accepted, response.StatusCode);
        Assert.True(target.Accepted == HttpStatusCode.Conflict || await target.Stored(app) > before, $"{write} stored nothing");
    }

    [Theory]
    [MemberData(nameof(WriteNames))]
    public async Task BearerWrite_WithForeignOrigin_IsAccepted(string write)
    {
        var target = Writes.Single(w => w.Name == write);
        using var bot = app.CreateAdminClient();

        var response = await bot.SendAsync(Request(target, "https://evil.example", "cross-site"));

        Assert.Equal(target.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task CookieRead_FromAnywhere_StillWorks()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/candidates/{Candidate}/votes");
        request.Headers.Add("Origin", OtherPort);
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        var foreign = await app.Browser.SendAsync(request);
        var plain = await app.Browser.GetAsync("/api/v2.0/results");

        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    [Fact]
    public async Task AnonymousWrite_WithForeignOrigin_StaysUnauthorized()
    {
        using var anonymous = app.CreateClient(bearer: null);

        var response = await anonymous.SendAsync(Request(Writes[0], OtherPort, ""));

        await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task CookieWrite_OverRealHttp_OnlyOurOwnPortIsOurOrigin()
    {
        using var server = new ComposeGateFactory();
        server.UseKestrel(0);
        server.StartServer();
        var address = server.ClientOptions.BaseAddress;
        using var browser = LoopbackBrowser.Create(address);
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword)).StatusCode);
        var job = Writes[0];
        var ours = $"{address.Scheme}://{address.Authority}";
        var neighbour = $"{address.Scheme}://{address.Host}:{address.Port + 1}";

        var fromNeighbour = await browser.SendAsync(Request(job, neighbour, "same-site"));
        var fromUs = await browser.SendAsync(Request(job, ours, "same-origin"));

        Assert.Equal(ApiOriginCheck.Refusal, (await Problem.ReadAsync(fromNeighbour, HttpStatusCode.Forbidden)).Detail);
        Assert.Equal(HttpStatusCode.Accepted, fromUs.StatusCode);
        Assert.Equal(1, await job.Stored(server));
    }

    private static HttpRequestMessage Request(Write write, string origin, string fetchSite)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, write.Path);
        if (write.Json is not null)
        {
            request.Content = new StringContent(write.Json, Encoding.UTF8, "application/json");
        }
        if (origin.Length > 0)
        {
            request.Headers.Add("Origin", origin);
        }
        if (fetchSite.Length > 0)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }
        return request;
    }
}

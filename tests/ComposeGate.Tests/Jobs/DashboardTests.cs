using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Access;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Users;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Jobs;

/// <summary>
/// Hangfire's dashboard at /hangfire behind our sign-in: anonymous people and bearer tokens are sent to sign in, a
/// Viewer reads it but its buttons refuse, a release engineer triggers a recurring job, and a POST without the
/// page's antiforgery token changes nothing.
/// </summary>
public sealed class DashboardTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public DashboardTests(ComposeGateFactory app)
    {
        this.app = app;
        var users = app.Services.GetRequiredService<UserAdministration>();
        foreach (var (name, role) in new[] { ("vera", Roles.Viewer), ("rene", Roles.ReleaseEngineer) })
        {
            // The fixture is shared: the second test class instance finds them made.
            _ = users.CreateAsync(Principals.Admin, new(name, $"{name}-Pass-2026", [role])).GetAwaiter().GetResult();
        }
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_AndABearerTokenIsNotASignIn()
    {
        using var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await anonymous.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login?ReturnUrl=%2Fhangfire", response.Headers.Location!.PathAndQuery);

        using var bot = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        bot.DefaultRequestHeaders.Authorization = new("Bearer", await app.MintTokenAsync("dashboard-bot", Roles.Admin));
        Assert.Equal(HttpStatusCode.Redirect, (await bot.GetAsync("/hangfire/recurring")).StatusCode);
    }

    [Fact]
    public async Task Viewer_ReadsTheThemedDashboard_ButCannotTriggerAJob()
    {
        using var vera = await SignInAsync("vera");
        var home = await vera.GetStringAsync("/hangfire");
        Assert.Contains("ComposeGate · Jobs", home);
        Assert.Contains("href=\"/jobs\"", home);
        var recurring = await vera.GetStringAsync("/hangfire/recurring");
        Assert.Contains("decision-refresh", recurring);
        Assert.Contains("promotion", recurring);
        var before = await LastJobAsync("decision-refresh");

        var refused = await HangfireDashboard.CommandAsync(vera, "/hangfire/recurring", "/hangfire/recurring/trigger", "decision-refresh");

        Assert.Contains(refused.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Equal(before, await LastJobAsync("decision-refresh"));
    }

    [Fact]
    public async Task ReleaseEngineer_TriggersARecurringJob_OnlyWithThePagesAntiforgeryToken_AndItIsAudited()
    {
        using var rene = await SignInAsync("rene");
        var before = await LastJobAsync("decision-refresh");

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger")
        {
            Content = new FormUrlEncodedContent([new("jobs[]", "decision-refresh")]),
        };
        var withoutToken = await rene.SendAsync(forged);
        Assert.False(withoutToken.IsSuccessStatusCode, $"A POST without the antiforgery token was accepted: {withoutToken.StatusCode}");
        Assert.Equal(before, await LastJobAsync("decision-refresh"));

        var accepted = await HangfireDashboard.CommandAsync(rene, "/hangfire/recurring", "/hangfire/recurring/trigger", "decision-refresh");

        Assert.True(accepted.IsSuccessStatusCode, $"{accepted.StatusCode}");
        Assert.NotEqual(before, await LastJobAsync("decision-refresh"));
        var audit = await app.WithDbAsync(db => db.AuditEvents.Where(e => e.Kind == "job.dashboard").ToListAsync());
        var entry = Assert.Single(audit);
        Assert.Equal("rene", entry.Actor);
        Assert.Equal("Job dashboard: recurring/trigger for decision-refresh", entry.Summary);
    }

    private async Task<HttpClient> SignInAsync(string name)
    {
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, name, $"{name}-Pass-2026")).StatusCode);
        return browser;
    }

    private async Task<string?> LastJobAsync(string job)
    {
        using var admin = app.CreateAdminClient();
        var jobs = await admin.GetFromJsonAsync<JsonElement>("/api/v1/jobs");
        var row = jobs.GetProperty("scheduled").EnumerateArray().Single(r => r.GetProperty("name").GetString() == job);
        return row.GetProperty("lastJob").GetString();
    }
}

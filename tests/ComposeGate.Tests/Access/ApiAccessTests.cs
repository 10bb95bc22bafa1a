using System.Net;
using System.Net.Http.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Access;

public sealed class ApiAccessTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public ApiAccessTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task Get_Anonymous_Is401ProblemWithBearerChallenge()
    {
        using var client = app.CreateClient(bearer: null);

        var response = await client.GetAsync("/api/v1/streams");

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", problem.Detail);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Get_UnknownToken_Is401SayingTheTokenIsNotValid()
    {
        using var client = app.CreateClient("cg_not-a-real-token");

        var problem = await Problem.ReadAsync(await client.GetAsync("/api/v1/streams"), HttpStatusCode.Unauthorized);

        Assert.Contains("unknown, revoked or expired", problem.Detail);
    }

    [Fact]
    public async Task ViewerToken_CanReadButNotCreate()
    {
        var secret = await app.MintTokenAsync("viewer-" + Guid.NewGuid().ToString("N")[..8], "Viewer");
        using var viewer = app.CreateClient(secret);

        var read = await viewer.GetAsync("/api/v1/streams");
        var create = await viewer.PostAsJsonAsync("/api/v1/streams", new { name = "viewer-made", kind = "compose" });

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var problem = await Problem.ReadAsync(create, HttpStatusCode.Forbidden);
        Assert.Equal("This needs the Admin role or above; you have Viewer.", problem.Detail);
        Assert.False(await app.WithDbAsync(db => db.Streams.AnyAsync(s => s.Name == "viewer-made")));
    }

    [Fact]
    public async Task RevokedToken_StopsWorkingImmediately()
    {
        var name = "revoked-" + Guid.NewGuid().ToString("N")[..8];
        var secret = await app.MintTokenAsync(name, "Viewer");
        using var bot = app.CreateClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/api/v1/streams")).StatusCode);
        var id = await app.WithDbAsync(db => db.ApiTokens.Where(t => t.Name == name).Select(t => t.Id).SingleAsync());

        using var admin = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/v1/tokens/{id}")).StatusCode);

        await Problem.ReadAsync(await bot.GetAsync("/api/v1/streams"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ExpiredToken_Is401OnceItsTimeHasPassed()
    {
        var secret = await app.MintTokenAsync("expiring-" + Guid.NewGuid().ToString("N")[..8], "Viewer",
            expires: app.Clock.GetUtcNow().AddHours(1));
        using var bot = app.CreateClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/api/v1/streams")).StatusCode);

        app.Clock.Advance(TimeSpan.FromHours(2));
        try
        {
            await Problem.ReadAsync(await bot.GetAsync("/api/v1/streams"), HttpStatusCode.Unauthorized);
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromHours(-2));
        }
    }

    [Fact]
    public async Task TokenUse_RecordsLastUse()
    {
        var name = "used-" + Guid.NewGuid().ToString("N")[..8];
        var secret = await app.MintTokenAsync(name, "Viewer");
        Assert.Null(await app.WithDbAsync(db => db.ApiTokens.Where(t => t.Name == name).Select(t => t.LastUsedAt).SingleAsync()));

        using var bot = app.CreateClient(secret);
        await bot.GetAsync("/api/v1/streams");

        Assert.Equal(app.Clock.GetUtcNow(), await app.WithDbAsync(db => db.ApiTokens.Where(t => t.Name == name).Select(t => t.LastUsedAt).SingleAsync()));
    }

    [Fact]
    public async Task UnknownApiRoute_Is404Problem()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.GetAsync("/api/v1/no-such-thing");

        await Problem.ReadAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UiPage_Anonymous_RedirectsToSignIn()
    {
        using var client = app.CreateClient(bearer: null);

        var response = await client.GetAsync("/admin/tokens");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/Login", response.Headers.Location!.ToString());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Security;

/// <summary>
/// A token acting for a person carries at most the role the person holds now: an admin's demotion reaches the
/// token on its next request, a promotion never lifts it above its minted role, and a person left without any role
/// has tokens that no longer authenticate. Bot tokens keep their own role.
/// </summary>
public sealed class TokenRoleTests : IClassFixture<ComposeGateFactory>
{
    private static readonly TestCompose Compose = new("CentOS-Stream-10-20261121.0", [new("bash", "0:5.2.26-4.el10", "bash")]);
    private readonly ComposeGateFactory app;
    private readonly UserAdministration users;

    public TokenRoleTests(ComposeGateFactory app)
    {
        this.app = app;
        users = app.Services.GetRequiredService<UserAdministration>();
        using var admin = app.CreateAdminClient();
        admin.PostAsJsonAsync("/api/v1/streams", new { name = "token-roles", kind = "compose" }).GetAwaiter().GetResult();
        // An unmet requirement, so a permitted promote answers 409 and starts nothing.
        admin.PutAsync("/api/v1/streams/token-roles/policy", new StringContent("requires:\n  - testcase: t.required\n", System.Text.Encoding.UTF8, "text/yaml"))
            .GetAwaiter().GetResult();
        admin.PostAsync("/api/v1/streams/token-roles/candidates", Compose.Content()).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task PersonToken_OwnerDemotedAndPromoted_CarriesTheOwnersCurrentRoleButNeverMoreThanMinted()
    {
        var rita = await CreateUserAsync("rita", Roles.ReleaseEngineer);
        using var token = app.CreateClient(await app.MintTokenAsync("rita-cli", Roles.ReleaseEngineer, user: "rita"));
        Assert.Equal(HttpStatusCode.Created, (await WaiveAsync(token)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await token.PostAsync($"/api/v1/candidates/{Compose.Id}/promote", null)).StatusCode);

        await SetRolesAsync(rita, Roles.Tester);
        var waiver = await Problem.ReadAsync(await WaiveAsync(token), HttpStatusCode.Forbidden);
        Assert.Equal("This needs the ReleaseEngineer role or above; you have Tester.", waiver.Detail);
        await Problem.ReadAsync(await token.PostAsync($"/api/v1/candidates/{Compose.Id}/promote", null), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Created, (await VoteAsync(token)).StatusCode);

        await SetRolesAsync(rita, Roles.Viewer);
        await Problem.ReadAsync(await VoteAsync(token), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync($"/api/v1/candidates/{Compose.Id}")).StatusCode);

        await SetRolesAsync(rita, Roles.ReleaseEngineer);
        Assert.Equal(HttpStatusCode.Created, (await WaiveAsync(token)).StatusCode);

        await SetRolesAsync(rita, Roles.Admin);
        Assert.Equal(["ReleaseEngineer"], await RolesSeenByAsync(token));
        var stream = await Problem.ReadAsync(
            await token.PostAsJsonAsync("/api/v1/streams", new { name = "rita-made", kind = "compose" }), HttpStatusCode.Forbidden);
        Assert.Equal("This needs the Admin role or above; you have ReleaseEngineer.", stream.Detail);
    }

    [Fact]
    public async Task PersonToken_OwnerHoldsNoRole_Is401()
    {
        var sam = await CreateUserAsync("sam", Roles.Tester);
        var secret = await app.MintTokenAsync("sam-cli", Roles.Tester, user: "sam");
        // The admin pages always leave a person at least one role; a role removed any other way (Identity directly,
        // the database) must still not leave a token working on nothing.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await manager.FindByIdAsync(sam.Id);
            Assert.True((await manager.RemoveFromRolesAsync(user!, await manager.GetRolesAsync(user!))).Succeeded);
        }
        using var token = app.CreateClient(secret);

        var problem = await Problem.ReadAsync(await token.GetAsync("/api/v1/streams"), HttpStatusCode.Unauthorized);

        Assert.Contains("holds no role", problem.Detail);
    }

    [Fact]
    public async Task BotToken_KeepsItsOwnRole()
    {
        using var bot = app.CreateClient(await app.MintTokenAsync("release-bot", Roles.ReleaseEngineer));

        Assert.Equal(HttpStatusCode.Created, (await WaiveAsync(bot)).StatusCode);
        Assert.Equal(["ReleaseEngineer"], await RolesSeenByAsync(bot));
    }

    private async Task<UserSummary> CreateUserAsync(string name, string role) =>
        Assert.IsType<Outcome<UserSummary>.Ok>(await users.CreateAsync(Principals.Admin, new(name, $"{name}-Pass-2026", [role]))).Value;

    /// <summary>The path the Users page takes when an admin changes someone's roles.</summary>
    private async Task SetRolesAsync(UserSummary user, string role) =>
        Assert.IsType<Outcome<UserSummary>.Ok>(await users.SetRolesAsync(Principals.Admin, user.Id, [role]));

    private static Task<HttpResponseMessage> WaiveAsync(HttpClient client) =>
        client.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/waivers", new { testcase = "t.roles", reason = "known flake" });

    private static Task<HttpResponseMessage> VoteAsync(HttpClient client) =>
        client.PostAsJsonAsync($"/api/v1/candidates/{Compose.Id}/votes", new { value = 1, comment = "looks fine" });

    /// <summary>The roles the caller acts with, as the API sees them.</summary>
    private static async Task<string[]> RolesSeenByAsync(HttpClient client)
    {
        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        return me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray();
    }
}

using System.Net;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Users;

public sealed class UserAdministrationTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;
    private readonly UserAdministration users;

    public UserAdministrationTests(ComposeGateFactory app)
    {
        this.app = app;
        users = app.Services.GetRequiredService<UserAdministration>();
    }

    [Fact]
    public async Task Create_ListsTheUserWithTheirRoles()
    {
        var outcome = await users.CreateAsync(Principals.Admin, new("carol", "Carol-Pass-1", ["Tester", "Viewer"], "Carol QA", "carol@example.org", "carolqa"));

        var carol = Assert.IsType<Outcome<UserSummary>.Ok>(outcome).Value;
        Assert.Equal(["Viewer", "Tester"], carol.Roles);
        var listed = Assert.Single(await users.ListAsync(), u => u.UserName == "carol");
        Assert.Equal("carolqa", listed.ForgeUsername);
        Assert.Equal(["Viewer", "Tester"], listed.Roles);
    }

    [Fact]
    public async Task Create_ByNonAdmin_IsForbiddenAndCreatesNothing()
    {
        var outcome = await users.CreateAsync(Principals.With("eve", "ReleaseEngineer"), new("mallory", "Mallory-Pass-1", ["Admin"]));

        Assert.IsType<Outcome<UserSummary>.Forbidden>(outcome);
        Assert.DoesNotContain(await users.ListAsync(), u => u.UserName == "mallory");
    }

    [Fact]
    public async Task Create_WeakPasswordUnknownRoleDuplicate_AreRefusedWithReasons()
    {
        var weak = await users.CreateAsync(Principals.Admin, new("dave", "short", ["Viewer"]));
        var role = await users.CreateAsync(Principals.Admin, new("dave", "Dave-Pass-12", ["Wizard"]));
        await users.CreateAsync(Principals.Admin, new("erin", "Erin-Pass-12", ["Viewer"]));
        var duplicate = await users.CreateAsync(Principals.Admin, new("erin", "Erin-Pass-12", ["Viewer"]));

        Assert.Contains("password", Assert.IsType<Outcome<UserSummary>.Invalid>(weak).Errors.Keys);
        Assert.Contains("roles", Assert.IsType<Outcome<UserSummary>.Invalid>(role).Errors.Keys);
        Assert.IsType<Outcome<UserSummary>.Conflict>(duplicate);
    }

    [Fact]
    public async Task LastActiveAdmin_CannotBeDemotedOrDisabled()
    {
        var admin = Assert.Single(await users.ListAsync(), u => u.UserName == "admin");

        var demote = await users.SetRolesAsync(Principals.With("other-admin", "Admin"), admin.Id, ["Viewer"]);
        var disable = await users.SetDisabledAsync(Principals.With("other-admin", "Admin"), admin.Id, disabled: true);

        Assert.IsType<Outcome<UserSummary>.Conflict>(demote);
        Assert.IsType<Outcome<UserSummary>.Conflict>(disable);
        Assert.Contains("Admin", Assert.Single(await users.ListAsync(), u => u.UserName == "admin").Roles);
    }

    [Fact]
    public async Task Disable_StopsTheUsersTokensAndEnableRestoresThem()
    {
        var frank = Assert.IsType<Outcome<UserSummary>.Ok>(
            await users.CreateAsync(Principals.Admin, new("frank", "Frank-Pass-1", ["Reporter"]))).Value;
        var secret = await app.MintTokenAsync("frank-ci", "Reporter", user: "frank");
        using var client = app.CreateClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/streams")).StatusCode);

        await users.SetDisabledAsync(Principals.Admin, frank.Id, disabled: true);
        var problem = await Problem.ReadAsync(await client.GetAsync("/api/v1/streams"), HttpStatusCode.Unauthorized);
        Assert.Contains("disabled", problem.Detail);

        await users.SetDisabledAsync(Principals.Admin, frank.Id, disabled: false);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/streams")).StatusCode);
        Assert.Equal(2, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Summary.Contains("'frank'") && (e.Kind == "user.disabled" || e.Kind == "user.enabled"))));
    }
}

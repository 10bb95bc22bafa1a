using ComposeGate.Access;
using ComposeGate.Data;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web;
using ComposeGate.Web.Access;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComposeGate.Tests.Access;

public sealed class BootstrapTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public BootstrapTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task FirstStart_CreatesAdminWithTheConfiguredPasswordAndEveryRole()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();

        var admin = await users.FindByNameAsync("admin");

        Assert.NotNull(admin);
        Assert.True(await users.CheckPasswordAsync(admin, ComposeGateFactory.AdminPassword));
        Assert.Equal(["Admin"], await users.GetRolesAsync(admin));
        Assert.Equal(Roles.All.Order(), roles.Roles.Select(r => r.Name!).ToList().Order());
    }

    [Fact]
    public async Task RotatedAdminToken_RevokesThePreviousOneAndRunningTwiceChangesNothing()
    {
        const string rotated = "a-rotated-bootstrap-secret-of-enough-length";
        await RunBootstrapAsync(rotated);
        await RunBootstrapAsync(rotated);

        var bootstrap = await app.WithDbAsync(db => db.ApiTokens.Where(t => t.IsBootstrap).OrderBy(t => t.Id).ToListAsync());
        Assert.Equal(2, bootstrap.Count);
        Assert.NotNull(bootstrap[0].RevokedAt);
        Assert.Null(bootstrap[1].RevokedAt);
        await Problem.ReadAsync(await app.CreateAdminClient().GetAsync("/api/v1/streams"), System.Net.HttpStatusCode.Unauthorized);
        using var client = app.CreateClient(rotated);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/streams")).StatusCode);

        await RunBootstrapAsync(ComposeGateFactory.AdminToken);
    }

    [Fact]
    public void Options_ShortAdminToken_IsRejectedAtStartup()
    {
        var result = new ComposeGateOptionsValidator().Validate(null, new ComposeGateOptions
        {
            Bootstrap = new BootstrapOptions { AdminToken = "too-short", AdminPassword = "short" },
        });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("AdminToken must be at least 32"));
        Assert.Contains(result.Failures!, f => f.Contains("AdminPassword must be at least 8"));
    }

    private async Task RunBootstrapAsync(string token)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var bootstrap = new AccessBootstrap(
            services.GetRequiredService<AppDbContext>(),
            services.GetRequiredService<UserManager<ApplicationUser>>(),
            services.GetRequiredService<RoleManager<IdentityRole>>(),
            Options.Create(new ComposeGateOptions { Bootstrap = new BootstrapOptions { AdminToken = token } }),
            app.Clock,
            services.GetRequiredService<ApiTokenCache>(),
            NullLogger<AccessBootstrap>.Instance);
        await bootstrap.RunAsync();
    }
}

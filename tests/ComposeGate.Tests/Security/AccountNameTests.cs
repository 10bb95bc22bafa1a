using System.Net;
using System.Net.Http.Json;
using ComposeGate.Access;
using ComposeGate.Data;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Users;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Security;

/// <summary>
/// Names that credit work to someone are never shared: a bot token cannot take a person's user name (nor a person a
/// live bot's), and a GitLab user name belongs to one account, ignoring case, in the pages and in the database.
/// </summary>
public sealed class AccountNameTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;
    private readonly UserAdministration users;

    public AccountNameTests(ComposeGateFactory app)
    {
        this.app = app;
        users = app.Services.GetRequiredService<UserAdministration>();
    }

    [Fact]
    public async Task MintBotToken_NamedAfterAPersonInAnyCase_Is400NamingName()
    {
        await CreateUserAsync("Grace");
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "grace", role = "Reporter" });

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("a person's user name", Assert.Single(problem.Errors["name"]));
        Assert.False(await app.WithDbAsync(db => db.ApiTokens.AnyAsync(t => t.Name == "grace")));
    }

    [Fact]
    public async Task MintPersonToken_NamedAfterThatPerson_IsAllowed()
    {
        await CreateUserAsync("heidi", Roles.Reporter);
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "heidi", role = "Reporter", user = "heidi" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CreateUser_NamedAfterALiveBotToken_IsRefusedUntilTheTokenIsRevoked()
    {
        await app.MintTokenAsync("ci-bot", "Reporter");
        var id = await app.WithDbAsync(db => db.ApiTokens.Where(t => t.Name == "ci-bot").Select(t => t.Id).SingleAsync());

        var refused = await users.CreateAsync(Principals.Admin, new("CI-Bot", "Ci-Bot-Pass-2026", [Roles.Viewer]));
        using var admin = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/v1/tokens/{id}")).StatusCode);
        var created = await users.CreateAsync(Principals.Admin, new("CI-Bot", "Ci-Bot-Pass-2026", [Roles.Viewer]));

        Assert.Contains("bot token", Assert.Single(Assert.IsType<Outcome<UserSummary>.Invalid>(refused).Errors["userName"]));
        Assert.IsType<Outcome<UserSummary>.Ok>(created);
    }

    [Fact]
    public async Task CreateUser_GitLabNameOfAnotherAccountInAnyCase_IsRefusedNamingForgeUsername()
    {
        await CreateUserAsync("ivan", forgeUsername: "Ivan.GL");

        var refused = await users.CreateAsync(Principals.Admin, new("ivana", "Ivana-Pass-2026", [Roles.Viewer], ForgeUsername: "ivan.gl"));

        var errors = Assert.IsType<Outcome<UserSummary>.Invalid>(refused).Errors;
        Assert.Equal("The GitLab user name 'ivan.gl' belongs to another account.", Assert.Single(errors["forgeUsername"]));
        Assert.DoesNotContain(await users.ListAsync(), u => u.UserName == "ivana");
    }

    [Fact]
    public async Task Profile_GitLabNameOfAnotherAccount_IsRefusedAndTheOldOneKept()
    {
        await CreateUserAsync("judy", forgeUsername: "judy.gl");
        await CreateUserAsync("karl", forgeUsername: "karl.gl");
        using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignInTests.SignInAsync(browser, "karl", "karl-Pass-2026");

        var saved = await browser.SubmitFormAsync("/Account/Manage", "profile", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Karl",
            ["Input.ForgeUsername"] = "JUDY.gl",
        });

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("The GitLab user name &#x27;JUDY.gl&#x27; belongs to another account.", await browser.GetStringAsync("/Account/Manage"));
        Assert.Equal("karl.gl", await ForgeUsernameOfAsync("karl"));
    }

    [Fact]
    public async Task Database_SecondAccountWithTheSameGitLabName_IsRefusedByItsIndex()
    {
        await CreateUserAsync("liam", forgeUsername: "liam.gl");

        var duplicate = await Assert.ThrowsAsync<DbUpdateException>(() => app.WithDbAsync(db =>
        {
            db.Users.Add(new ApplicationUser { UserName = "liam2", NormalizedUserName = "LIAM2", ForgeUsername = "Liam.GL" });
            return db.SaveChangesAsync();
        }));

        Assert.Contains("UNIQUE", duplicate.InnerException?.Message);
    }

    [Fact]
    public async Task Migration_ExistingDuplicateGitLabNames_OldestAccountKeepsIt()
    {
        var file = Path.Combine(app.DataDir, "before-unique-forge-names.db");
        var options = new DbContextOptionsBuilder<AppDbContext>()
            .UseSqlite($"Data Source={file}", sqlite => sqlite.MigrationsAssembly("ComposeGate.Migrations")).Options;
        await using (var db = new AppDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261121082636_MessageBus");
            // As an earlier release stored them: the same GitLab name on three accounts, in different cases.
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO AspNetUsers (Id, UserName, NormalizedUserName, ForgeUsername, CreatedAt, EmailConfirmed, PhoneNumberConfirmed,
                                         TwoFactorEnabled, LockoutEnabled, AccessFailedCount)
                VALUES ('u-new', 'newest', 'NEWEST', 'Mo.GL', 300, 0, 0, 0, 1, 0),
                       ('u-old', 'oldest', 'OLDEST', 'mo.gl', 100, 0, 0, 0, 1, 0),
                       ('u-mid', 'middle', 'MIDDLE', 'MO.gl', 200, 0, 0, 0, 1, 0),
                       ('u-own', 'other', 'OTHER', 'other.gl', 250, 0, 0, 0, 1, 0);
                """);
        }

        await using (var db = new AppDbContext(options))
        {
            await db.Database.MigrateAsync();

            var names = await db.Users.OrderBy(u => u.CreatedAt).Select(u => new { u.UserName, u.ForgeUsername, u.NormalizedForgeUsername }).ToListAsync();
            var expected = new (string?, string?, string?)[]
            {
                ("oldest", "mo.gl", "MO.GL"), ("middle", null, null), ("other", "other.gl", "OTHER.GL"), ("newest", null, null),
            };
            Assert.Equal(expected, names.Select(n => (n.UserName, n.ForgeUsername, n.NormalizedForgeUsername)));
            var cleared = await db.AuditEvents.Where(e => e.Kind == "user.forge-username-cleared").Select(e => e.Summary).ToListAsync();
            Assert.Equal(2, cleared.Count);
            Assert.Contains("Cleared the GitLab user name 'MO.gl' of 'middle': an older account has it", cleared);
        }
        SqliteConnection.ClearAllPools();
    }

    private async Task CreateUserAsync(string name, string role = Roles.Viewer, string? forgeUsername = null) =>
        Assert.IsType<Outcome<UserSummary>.Ok>(
            await users.CreateAsync(Principals.Admin, new(name, $"{name}-Pass-2026", [role], ForgeUsername: forgeUsername)));

    private Task<string?> ForgeUsernameOfAsync(string name) =>
        app.WithDbAsync(db => db.Users.Where(u => u.UserName == name).Select(u => u.ForgeUsername).SingleAsync());
}

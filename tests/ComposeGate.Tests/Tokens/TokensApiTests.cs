using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Tokens;

public sealed class TokensApiTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public TokensApiTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task Mint_Is201WithTheSecretOnceAndStoresOnlyItsHash()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v1/tokens",
            new { name = "rdo-bot", role = "Reporter", testcases = new[] { "rdo.*", "tripleo.*" }, expires = "2027-01-01T00:00:00Z" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var minted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var secret = minted.GetProperty("token").GetString()!;
        Assert.StartsWith("cg_", secret);
        Assert.True(secret.Length >= 40);
        Assert.Equal("Reporter", minted.GetProperty("role").GetString());
        var stored = await app.WithDbAsync(db => db.ApiTokens.SingleAsync(t => t.Name == "rdo-bot"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), stored.Hash);
        Assert.Equal(["rdo.*", "tripleo.*"], stored.Testcases);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), stored.ExpiresAt);

        var listed = await admin.GetStringAsync("/api/v1/tokens");
        Assert.Contains("rdo-bot", listed);
        Assert.DoesNotContain(secret, listed);
    }

    [Fact]
    public async Task Secrets_NeverAppearInClearUnderDataDir()
    {
        var minted = await app.MintTokenAsync("scan-" + Guid.NewGuid().ToString("N")[..6], "Tester");
        using var bot = app.CreateClient(minted);
        await bot.GetAsync("/api/v1/streams");

        // Every file, including the WAL and the data-protection keys, byte for byte.
        // instance.lock is empty and held exclusively while the app runs.
        foreach (var file in Directory.EnumerateFiles(app.DataDir, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "instance.lock"))
        {
            var bytes = await ReadSharedAsync(file);
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(minted)), $"minted token in clear in {file}");
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(ComposeGateFactory.AdminToken)), $"bootstrap token in clear in {file}");
        }
    }

    [Theory]
    [InlineData("{\"role\":\"Reporter\"}", "name")]
    [InlineData("{\"name\":\"has space\",\"role\":\"Reporter\"}", "name")]
    [InlineData("{\"name\":\"bot\",\"role\":\"Superuser\"}", "role")]
    [InlineData("{\"name\":\"bot\"}", "role")]
    [InlineData("{\"name\":\"bot\",\"role\":\"Reporter\",\"testcases\":[\"rdo/*\"]}", "testcases")]
    [InlineData("{\"name\":\"bot\",\"role\":\"Reporter\",\"expires\":\"2020-01-01T00:00:00Z\"}", "expires")]
    [InlineData("{\"name\":\"bot\",\"role\":\"Reporter\",\"user\":\"nobody\"}", "user")]
    public async Task Mint_InvalidRequest_Is400NamingTheFieldAndMintsNothing(string body, string field)
    {
        using var admin = app.CreateAdminClient();
        var before = await app.WithDbAsync(db => db.ApiTokens.CountAsync());

        var response = await admin.PostAsync("/api/v1/tokens", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.Errors.Keys);
        Assert.Equal(before, await app.WithDbAsync(db => db.ApiTokens.CountAsync()));
    }

    [Fact]
    public async Task Mint_LiveNameTaken_Is409_ButARevokedNameCanBeReused()
    {
        using var admin = app.CreateAdminClient();
        var first = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "ci-bot", role = "Reporter" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var second = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "ci-bot", role = "Reporter" });
        await Problem.ReadAsync(second, HttpStatusCode.Conflict);

        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await admin.DeleteAsync($"/api/v1/tokens/{id}");
        var third = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "ci-bot", role = "Reporter" });
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
    }

    [Fact]
    public async Task Mint_ByNonAdmin_Is403()
    {
        var tester = await app.MintTokenAsync("tester-" + Guid.NewGuid().ToString("N")[..6], "ReleaseEngineer");
        using var client = app.CreateClient(tester);

        var response = await client.PostAsJsonAsync("/api/v1/tokens", new { name = "sneaky", role = "Admin" });

        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        Assert.False(await app.WithDbAsync(db => db.ApiTokens.AnyAsync(t => t.Name == "sneaky")));
    }

    [Fact]
    public async Task Mint_ForAUser_ActsAsThatUserAndCannotExceedTheirRole()
    {
        using var admin = app.CreateAdminClient();
        var users = app.Services.GetRequiredService<ComposeGate.Web.Features.Users.UserAdministration>();
        var created = await users.CreateAsync(Principals.Admin, new("alice", "Alice-Pass-1", ["Tester"]));
        Assert.IsType<ComposeGate.Web.Api.Outcome<ComposeGate.Web.Features.Users.UserSummary>.Ok>(created);

        var tooHigh = await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "alice-re", role = "ReleaseEngineer", user = "alice" });
        var problem = await Problem.ReadAsync(tooHigh, HttpStatusCode.BadRequest);
        Assert.Contains("user", problem.Errors.Keys);

        var secret = await app.MintTokenAsync("alice-cli", "Tester", user: "alice");
        using var alice = app.CreateClient(secret);
        var me = await alice.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("alice", me.GetProperty("name").GetString());
        Assert.Equal("Tester", me.GetProperty("roles")[0].GetString());
        var asAlice = await alice.PostAsJsonAsync("/api/v1/streams", new { name = "by-alice", kind = "compose" });
        var denied = await Problem.ReadAsync(asAlice, HttpStatusCode.Forbidden);
        Assert.Contains("you have Tester", denied.Detail);
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

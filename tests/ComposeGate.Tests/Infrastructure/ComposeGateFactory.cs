using System.Net.Http.Headers;
using System.Net.Http.Json;
using ComposeGate.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// The real app in-process, on its own SQLite file in a fresh data folder, with a bootstrap admin
/// token and password. Each test class gets its own; tests that need a clean slate make their own.
/// </summary>
public class ComposeGateFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "cg-test-bootstrap-admin-token-0123456789";
    public const string AdminPassword = "Admin-Pass-2026";

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "composegate-tests", Guid.NewGuid().ToString("N"));
    public TestClock Clock { get; } = new();

    /// <summary>Extra settings for a test's app (applied after the defaults).</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ComposeGate:DataDir", DataDir);
        builder.UseSetting("ComposeGate:Bootstrap:AdminToken", AdminToken);
        builder.UseSetting("ComposeGate:Bootstrap:AdminPassword", AdminPassword);
        // Merge requests are the forge tests' business; elsewhere they would only add background git work.
        builder.UseSetting("ComposeGate:Forge:Enabled", "false");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public HttpClient CreateClient(string? bearer)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminToken);

    /// <summary>Mints a token through the API as the bootstrap admin and returns its secret.</summary>
    public async Task<string> MintTokenAsync(string name, string role, string[]? testcases = null, DateTimeOffset? expires = null, string? user = null)
    {
        using var admin = CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/v1/tokens", new { name, role, testcases, expires, user });
        response.EnsureSuccessStatusCode();
        var minted = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return minted.GetProperty("token").GetString()!;
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    /// <summary>Waits for the forge sync to bring the candidate's merge request to <paramref name="state"/> (a condition, not a time limit).</summary>
    public async Task WaitForMergeRequestAsync(string candidate, ComposeGate.Forge.MergeRequestState state)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await WithDbAsync(db => db.MergeRequests.AsNoTracking().AnyAsync(m => m.CandidateId == candidate && m.State == state)))
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"The merge request of {candidate} never became {state}.");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}

using System.Net;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.Tests.Health;

public sealed class HealthTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public HealthTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task Healthz_Anonymous_Is200WithTheDatabaseCheck()
    {
        using var client = app.CreateClient(bearer: null);

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("healthy", json.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Healthz_DatabaseGone_Is503()
    {
        using var broken = new ComposeGateFactory();
        using var client = broken.CreateClient(bearer: null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        // A database file that is no longer a database: what a wiped or corrupted volume looks like.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var file = Path.Combine(broken.DataDir, "composegate.db");
        foreach (var path in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
        {
            File.Delete(path);
        }
        await File.WriteAllTextAsync(file, "this is not a database");

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("unhealthy", await response.Content.ReadAsStringAsync());
    }
}

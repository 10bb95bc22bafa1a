using System.Net;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.Tests.Api;

public sealed class OpenApiTests : IClassFixture<ComposeGateFactory>
{
    private readonly ComposeGateFactory app;

    public OpenApiTests(ComposeGateFactory app) => this.app = app;

    [Fact]
    public async Task Document_IsPublicAndListsTheEndpointsWithTheirRoles()
    {
        using var client = app.CreateClient(bearer: null);

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/streams", out var streams));
        Assert.True(paths.TryGetProperty("/api/v1/streams/{stream}", out _));
        Assert.True(paths.TryGetProperty("/api/v1/tokens", out var tokens));
        Assert.Equal("Admin", streams.GetProperty("post").GetProperty("x-composegate-role").GetString());
        Assert.Equal("Viewer+", streams.GetProperty("get").GetProperty("x-composegate-role").GetString());
        Assert.Equal("Admin", tokens.GetProperty("post").GetProperty("x-composegate-role").GetString());
        Assert.Equal("bearer", json.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }
}

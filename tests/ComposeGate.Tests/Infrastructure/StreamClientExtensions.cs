using System.Net.Http.Json;

namespace ComposeGate.Tests.Infrastructure;

public static class StreamClientExtensions
{
    public static async Task CreateStreamAsync(this HttpClient admin, string name, string kind = "compose") =>
        (await admin.PostAsJsonAsync("/api/v1/streams", new { name, kind })).EnsureSuccessStatusCode();
}

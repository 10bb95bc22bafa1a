using System.Net.Http.Json;
using System.Text.Json;

namespace ComposeGate.Tests.Infrastructure;

public static class StreamClientExtensions
{
    public static async Task CreateStreamAsync(this HttpClient admin, string name, string kind = "compose") =>
        (await admin.PostAsJsonAsync("/api/v1/streams", new { name, kind })).EnsureSuccessStatusCode();

    /// <summary>
    /// Waits until background work (a promotion) brings the candidate to one of <paramref name="statuses"/> and returns
    /// it; fails with the status it is stuck in. Waited for, not timed: the limit only stops a hung test.
    /// </summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient client, string candidateId, params string[] statuses)
    {
        JsonElement candidate = default;
        for (var i = 0; i < 600; i++)
        {
            candidate = await client.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Uri.EscapeDataString(candidateId)}");
            if (statuses.Contains(candidate.GetProperty("status").GetString()))
            {
                return candidate;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{candidateId} stayed {candidate.GetProperty("status").GetString()} " +
            $"({(candidate.TryGetProperty("statusReason", out var reason) ? reason.GetString() : "")}), expected {string.Join(" or ", statuses)}.");
    }

    /// <summary>Waits until an issue is listed on the candidate (opened after a failed promotion) and returns the candidate.</summary>
    public static async Task<JsonElement> WaitForIssueAsync(this HttpClient client, string candidateId)
    {
        for (var i = 0; i < 300; i++)
        {
            var candidate = await client.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{Uri.EscapeDataString(candidateId)}");
            if (candidate.GetProperty("issues").GetArrayLength() > 0)
            {
                return candidate;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"No issue was opened for {candidateId}.");
    }
}

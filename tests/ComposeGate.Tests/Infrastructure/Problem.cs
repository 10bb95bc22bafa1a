using System.Net;
using System.Text.Json;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>An RFC 7807 answer as bots see it.</summary>
public sealed record Problem(int Status, string? Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var errors = new Dictionary<string, string[]>();
        if (root.TryGetProperty("errors", out var e))
        {
            foreach (var field in e.EnumerateObject())
            {
                errors[field.Name] = field.Value.EnumerateArray().Select(v => v.GetString()!).ToArray();
            }
        }
        return new Problem(root.GetProperty("status").GetInt32(),
            root.TryGetProperty("title", out var t) ? t.GetString() : null,
            root.TryGetProperty("detail", out var d) ? d.GetString() : null,
            errors);
    }
}

using System.Collections.Concurrent;

namespace ComposeGate.Web.Promotion.Registry;

/// <summary>
/// Bearer tokens per (registry, scope) until shortly before they expire, and which registries asked for Basic
/// auth. A singleton: <see cref="RegistryClient"/> is a typed HttpClient and so created per use.
/// </summary>
public sealed class RegistryTokenCache
{
    // Renew a little early so a token does not expire between the check and the registry's own.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string Registry, string Scope), (string Token, DateTimeOffset Expires)> tokens = new();
    private readonly ConcurrentDictionary<string, bool> basic = new(StringComparer.OrdinalIgnoreCase);

    internal string? Get(string registry, string scope, DateTimeOffset now) =>
        tokens.TryGetValue((registry.ToLowerInvariant(), scope), out var entry) && entry.Expires > now ? entry.Token : null;

    internal void Put(string registry, string scope, string token, DateTimeOffset issued, TimeSpan lifetime)
    {
        var margin = lifetime > Margin * 2 ? Margin : TimeSpan.Zero;
        tokens[(registry.ToLowerInvariant(), scope)] = (token, issued + lifetime - margin);
    }

    internal bool UsesBasic(string registry) => basic.ContainsKey(registry);

    internal void MarkBasic(string registry) => basic[registry] = true;
}

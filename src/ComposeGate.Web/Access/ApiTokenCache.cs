using System.Collections.Concurrent;

namespace ComposeGate.Web.Access;

/// <summary>
/// Recently seen bearer tokens, so a bot posting thousands of results does not cost a database look-up per
/// request. Entries live briefly, and every change that could affect them (revoking a token, disabling or
/// re-enabling a user, changing roles, rotating the bootstrap token) clears the cache at once, so a revoked
/// token stops working immediately.
/// </summary>
public sealed class ApiTokenCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, CachedToken> tokens = new(StringComparer.Ordinal);
    private long generation;

    public CachedToken? Find(string hash)
    {
        return tokens.TryGetValue(hash, out var cached) && cached.Generation == Interlocked.Read(ref generation)
            && clock.GetUtcNow() - cached.CachedAt < Lifetime
            ? cached
            : null;
    }

    /// <summary>The current generation; read it before looking a token up in the database.</summary>
    public long Stamp => Interlocked.Read(ref generation);

    /// <summary>
    /// Keeps a token as read under <paramref name="stamp"/>: if the cache was cleared meanwhile, the entry is
    /// already stale and will not be found.
    /// </summary>
    public void Remember(string hash, CachedToken token, long stamp) => tokens[hash] = token with { Generation = stamp };

    /// <summary>Forgets every token: called after anything that changes who a token is or whether it works.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref generation);
        tokens.Clear();
    }
}

/// <summary>
/// What authentication needs to know of a token, as of <see cref="CachedAt"/>. <see cref="Role"/> is the role the
/// token acts with: for a person's token, the lesser of its minted role and the person's highest role then.
/// </summary>
public sealed record CachedToken(int Id, string Name, string Role, string? UserId, IReadOnlyList<string> Testcases, bool CanIngest,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset CachedAt)
{
    public long Generation { get; init; }
}

namespace ComposeGate.Access;

/// <summary>
/// A bearer token for bots and scripts. Only a SHA-256 hash of the secret is stored; the secret is
/// shown once when minted. A token acts as its owning user, or as a bot account named after the token.
/// </summary>
public sealed class ApiToken
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the secret, enough for a person to tell tokens apart.</summary>
    public required string Prefix { get; set; }
    /// <summary>Lower-case hex SHA-256 of the whole secret.</summary>
    public required string Hash { get; set; }
    public required string Role { get; set; }
    /// <summary>Testcase name globs (<c>rdo.*</c>) the token may report; empty means any.</summary>
    public List<string> Testcases { get; set; } = [];
    /// <summary>
    /// May submit candidates (<c>POST …/candidates</c>) although its role is below ReleaseEngineer: the
    /// "Reporter with ingest rights" of a build system or compose announcer.
    /// </summary>
    public bool CanIngest { get; set; }
    /// <summary>The Identity user the token acts for; null for a bot account named after the token.</summary>
    public string? UserId { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    /// <summary>The token ensured from <c>ComposeGate:Bootstrap:AdminToken</c>.</summary>
    public bool IsBootstrap { get; set; }

    public bool IsUsableAt(DateTimeOffset at) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > at);
}

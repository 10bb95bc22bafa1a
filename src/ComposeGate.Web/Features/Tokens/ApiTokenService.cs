using System.Security.Claims;
using System.Text.RegularExpressions;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Tokens;

/// <summary>Mints, lists and revokes API tokens. Only admins may; the secret is returned once and never stored.</summary>
public sealed partial class ApiTokenService(IDbContextFactory<AppDbContext> dbFactory, ApiTokenCache cache, TimeProvider clock)
{
    public const int MaxTestcaseGlobs = 50;

    public async Task<Outcome<MintedToken>> MintAsync(ClaimsPrincipal actor, MintTokenRequest request, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<MintedToken>.Forbidden("Only admins may mint tokens.");
        }

        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? "";
        if (!errors.AddIf(name.Length == 0, "name", "A name is required."))
        {
            errors.AddIf(!NamePattern().IsMatch(name), "name",
                "Use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
        var role = request.Role?.Trim() ?? "";
        if (!errors.AddIf(role.Length == 0, "role", "A role is required."))
        {
            errors.AddIf(!Roles.IsKnown(role), "role", $"Unknown role '{role}'; use one of {string.Join(", ", Roles.All)}.");
        }
        var globs = (request.Testcases ?? []).Select(g => g?.Trim() ?? "").ToList();
        errors.AddIf(globs.Count > MaxTestcaseGlobs, "testcases", $"At most {MaxTestcaseGlobs} globs.");
        foreach (var glob in globs.Where(g => !GlobPattern().IsMatch(g)).Distinct())
        {
            errors.Add("testcases", $"'{glob}' is not a testcase glob: use letters, digits, '.', '_', '-', '*' and '?' (at most 200).");
        }
        errors.AddIf(request.Expires is { } expires && expires <= now, "expires", "The expiry must be in the future.");
        errors.AddIf(request.Ingest == true && Roles.IsKnown(role) && !Roles.Satisfies(role, Roles.Reporter), "ingest",
            "Ingest rights need the Reporter role or above.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        ApplicationUser? owner = null;
        if (!string.IsNullOrWhiteSpace(request.User))
        {
            owner = await db.FindUserByNameAsync(request.User.Trim(), ct);
            if (!errors.AddIf(owner is null, "user", $"No user named '{request.User.Trim()}'.")
                && Roles.IsKnown(role))
            {
                var ownerRole = Roles.Highest(await db.RolesOfAsync(owner!.Id, ct));
                errors.AddIf(ownerRole is null || !Roles.Satisfies(ownerRole, role), "user",
                    $"'{owner!.UserName}' holds {ownerRole ?? "no role"}; a token cannot carry more than its owner.");
                errors.AddIf(owner!.DisabledAt is not null, "user", $"'{owner.UserName}' is disabled.");
            }
        }
        else if (NamePattern().IsMatch(name))
        {
            // A bot token acts under its own name (results' reporter, votes' voter), so it may not pass for a person.
            var upperName = name.ToUpperInvariant();
            errors.AddIf(await db.Users.AnyAsync(u => u.NormalizedUserName == upperName, ct), "name",
                $"'{name}' is a person's user name; a bot token needs a name of its own (or set 'user' to act for that person).");
        }
        if (errors.Any)
        {
            return errors;
        }

        if (await db.ApiTokens.AnyAsync(t => t.Name == name && t.RevokedAt == null, ct))
        {
            return new Outcome<MintedToken>.Conflict($"A live token named '{name}' exists; revoke it first or choose another name.");
        }

        var secret = TokenSecret.New();
        var token = new ApiToken
        {
            Name = name,
            Prefix = TokenSecret.PrefixOf(secret),
            Hash = TokenSecret.Hash(secret),
            Role = role,
            Testcases = globs.Distinct(StringComparer.Ordinal).ToList(),
            UserId = owner?.Id,
            CanIngest = request.Ingest == true,
            CreatedBy = Actor.NameOf(actor),
            CreatedAt = now,
            ExpiresAt = request.Expires?.ToUniversalTime(),
        };
        db.ApiTokens.Add(token);
        db.Record(now, Actor.NameOf(actor), "token.minted", $"Minted {role} token '{name}'",
            data: new { token.Name, token.Role, token.Testcases, token.ExpiresAt, token.CanIngest, user = owner?.UserName });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two admins minting the same name at once: the unique index decides, the loser gets 409.
            return new Outcome<MintedToken>.Conflict($"A live token named '{name}' exists; revoke it first or choose another name.");
        }
        return new MintedToken(token.Id, token.Name, token.Role, token.Testcases, token.CanIngest, token.ExpiresAt, owner?.UserName, token.Prefix, secret);
    }

    public async Task<IReadOnlyList<TokenSummary>> ListAsync(bool includeRevoked, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.ApiTokens.AsNoTracking();
        if (!includeRevoked)
        {
            query = query.Where(t => t.RevokedAt == null);
        }
        var tokens = await query
            .GroupJoin(db.Users, t => t.UserId, u => u.Id, (t, owners) => new { t, owners })
            .SelectMany(x => x.owners.DefaultIfEmpty(), (x, owner) => new { x.t, OwnerName = owner == null ? null : owner.UserName })
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        return tokens
            .Select(x => new TokenSummary(x.t.Id, x.t.Name, x.t.Prefix, x.t.Role, x.t.Testcases, x.t.CanIngest, x.OwnerName, x.t.CreatedBy,
                x.t.CreatedAt, x.t.ExpiresAt, x.t.LastUsedAt, x.t.RevokedAt, x.t.IsBootstrap, StateOf(x.t, now)))
            .OrderByDescending(t => t.CreatedAt)
            .ToList();
    }

    public async Task<Outcome<TokenSummary>> RevokeAsync(ClaimsPrincipal actor, int id, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<TokenSummary>.Forbidden("Only admins may revoke tokens.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (token is null)
        {
            return new Outcome<TokenSummary>.NotFound($"No token with id {id}.");
        }
        var now = clock.GetUtcNow();
        if (token.RevokedAt is null)
        {
            token.RevokedAt = now;
            token.RevokedBy = Actor.NameOf(actor);
            db.Record(now, Actor.NameOf(actor), "token.revoked", $"Revoked {token.Role} token '{token.Name}'", data: new { token.Name });
            await db.SaveChangesAsync(ct);
            cache.Clear();
        }
        var owner = token.UserId is null ? null : (await db.Users.FindAsync([token.UserId], ct))?.UserName;
        return new TokenSummary(token.Id, token.Name, token.Prefix, token.Role, token.Testcases, token.CanIngest, owner, token.CreatedBy,
            token.CreatedAt, token.ExpiresAt, token.LastUsedAt, token.RevokedAt, token.IsBootstrap, StateOf(token, now));
    }

    private static string StateOf(ApiToken token, DateTimeOffset now) =>
        token.RevokedAt is not null ? "revoked" : token.ExpiresAt is { } e && e <= now ? "expired" : "active";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._*?-]{1,200}$")]
    private static partial Regex GlobPattern();
}

/// <summary>
/// A mint request: <c>testcases</c> limits which results the token may report; <c>user</c> makes it act as that
/// person; <c>ingest</c> lets a Reporter token submit candidates.
/// </summary>
public sealed record MintTokenRequest(string? Name, string? Role, List<string>? Testcases = null, DateTimeOffset? Expires = null, string? User = null,
    bool? Ingest = null);

/// <summary>The one answer that carries the secret.</summary>
public sealed record MintedToken(int Id, string Name, string Role, IReadOnlyList<string> Testcases, bool Ingest, DateTimeOffset? Expires,
    string? User, string Prefix, string Token);

public sealed record TokenSummary(int Id, string Name, string Prefix, string Role, IReadOnlyList<string> Testcases, bool Ingest, string? User,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? Expires, DateTimeOffset? LastUsed, DateTimeOffset? Revoked,
    bool Bootstrap, string State);

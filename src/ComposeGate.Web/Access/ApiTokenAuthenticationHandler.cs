using System.Security.Claims;
using System.Text.Encodings.Web;
using ComposeGate.Access;
using ComposeGate.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Access;

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the hashed API tokens.</summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDbContextFactory<AppDbContext> dbFactory,
    ApiTokenCache cache,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string TokenIdClaim = "composegate:token";
    public const string TestcaseGlobClaim = "composegate:testcase";
    public const string IngestClaim = "composegate:ingest";

    // Last use is for people deciding what to revoke; minute precision spares a write per request.
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadBearer(Request, out var secret))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = TokenSecret.Hash(secret);
        var now = clock.GetUtcNow();
        var token = cache.Find(hash);
        if (token is null)
        {
            var stamp = cache.Stamp;
            await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
            var stored = await db.ApiTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Hash == hash, Context.RequestAborted);
            if (stored is null || stored.RevokedAt is not null)
            {
                return AuthenticateResult.Fail("The bearer token is unknown, revoked or expired.");
            }
            var name = stored.Name;
            var role = stored.Role;
            if (stored.UserId is not null)
            {
                var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == stored.UserId, Context.RequestAborted);
                if (user is null || user.DisabledAt is not null)
                {
                    return AuthenticateResult.Fail("The bearer token belongs to a disabled account.");
                }
                // A token acting for a person never carries more than the person holds now, so a demotion
                // reaches their tokens at once (role changes clear this cache).
                var held = Roles.Highest(await db.RolesOfAsync(user.Id, Context.RequestAborted));
                if (held is null)
                {
                    return AuthenticateResult.Fail("The bearer token belongs to an account that holds no role.");
                }
                name = user.UserName ?? stored.Name;
                role = Roles.Lesser(stored.Role, held);
            }
            token = new CachedToken(stored.Id, name, role, stored.UserId, stored.Testcases, stored.CanIngest, stored.ExpiresAt, stored.LastUsedAt, now);
            cache.Remember(hash, token, stamp);
        }
        if (token.ExpiresAt is { } expires && expires <= now)
        {
            return AuthenticateResult.Fail("The bearer token is unknown, revoked or expired.");
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt.Value >= LastUseResolution)
        {
            cache.Remember(hash, token with { LastUsedAt = now }, token.Generation);
            await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
            await db.ApiTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, token.UserId ?? $"token:{token.Id}"),
            new(ClaimTypes.Name, token.Name),
            new(ClaimTypes.Role, token.Role),
            new(TokenIdClaim, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(token.Testcases.Select(glob => new Claim(TestcaseGlobClaim, glob)));
        if (token.CanIngest)
        {
            claims.Add(new Claim(IngestClaim, "true"));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

    public static bool HasBearer(HttpRequest request) => TryReadBearer(request, out _);

    private static bool TryReadBearer(HttpRequest request, out string secret)
    {
        secret = "";
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        secret = header[prefix.Length..].Trim();
        return secret.Length > 0;
    }
}

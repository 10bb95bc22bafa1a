using System.Security.Claims;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>Signed-in people as the feature services see them.</summary>
public static class Principals
{
    public static ClaimsPrincipal With(string name, params string[] roles) =>
        new(new ClaimsIdentity(
            roles.Select(r => new Claim(ClaimTypes.Role, r)).Prepend(new Claim(ClaimTypes.Name, name)), "test"));

    public static ClaimsPrincipal Admin => With("admin", "Admin");
}

using System.Security.Claims;
using Bunit;
using ComposeGate.Web.Access;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Radzen;

namespace ComposeGate.Tests.Components;

/// <summary>
/// bUnit with the real app behind it: the component library's services, our authorization policies and a signed-in
/// person, and every feature service (catalogs, decisions, the change feed) resolved from a running app on its own
/// SQLite file, so a component shows and acts on the data a user would have.
/// </summary>
public sealed class AppComponentContext : BunitContext
{
    public AppComponentContext(IServiceProvider app, ClaimsPrincipal user)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
        Services.AddAuthorizationCore(AccessPolicies.Add);
        Services.AddSingleton<AuthenticationStateProvider>(new SignedIn(user));
        Services.AddCascadingAuthenticationState();
        Services.AddFallbackServiceProvider(app);
    }

    private sealed class SignedIn(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}

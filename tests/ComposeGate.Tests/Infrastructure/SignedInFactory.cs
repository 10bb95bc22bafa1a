using ComposeGate.Tests.Access;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// The app with one browser-like client signed in as the bootstrap admin, shared by a test class: signing in once,
/// as a person does, keeps the tests inside the per-address sign-in budget.
/// </summary>
public sealed class SignedInFactory : ComposeGateFactory, IAsyncLifetime
{
    public HttpClient Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Browser = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await CookieSignInTests.SignInAsync(Browser, "admin", AdminPassword);
    }

    Task IAsyncLifetime.DisposeAsync()
    {
        Browser.Dispose();
        return Task.CompletedTask;
    }
}

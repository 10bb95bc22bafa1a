using ComposeGate.Web.Access;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using Radzen;

namespace ComposeGate.Tests.Components;

/// <summary>
/// Static rendering of markup-only components with the framework's HtmlRenderer, the way the server prerenders
/// them: the services Radzen and AuthorizeView need, a navigation manager and a JS runtime that static output never
/// calls. Interactive components are tested with bUnit (<see cref="AppComponentContext"/>).
/// </summary>
public static class ComponentRenderer
{
    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?>? parameters = null) where TComponent : IComponent
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRadzenComponents();
        services.AddAuthorizationCore(AccessPolicies.Add);
        services.AddScoped<NavigationManager, StaticNavigationManager>();
        services.AddScoped<IJSRuntime, UnusedJsRuntime>();
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, provider.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(
                parameters is null ? ParameterView.Empty : ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }

    public static Task<string> RenderAsAsync<TComponent>(System.Security.Claims.ClaimsPrincipal user) where TComponent : IComponent =>
        RenderAsync<AuthenticatedAs>(new Dictionary<string, object?>
        {
            [nameof(AuthenticatedAs.User)] = user,
            [nameof(AuthenticatedAs.ChildContent)] = (RenderFragment)(builder =>
            {
                builder.OpenComponent<TComponent>(0);
                builder.CloseComponent();
            }),
        });

    private sealed class StaticNavigationManager : NavigationManager
    {
        public StaticNavigationManager() => Initialize("http://localhost/", "http://localhost/");
    }

    private sealed class UnusedJsRuntime : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => default;

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => default;
    }
}

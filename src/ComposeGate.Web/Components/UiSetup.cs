using ComposeGate.Web.Components.Account;
using ComposeGate.Web.Features.Streams;
using ComposeGate.Web.Features.Tokens;
using ComposeGate.Web.Features.Users;
using Radzen;

namespace ComposeGate.Web.Components;

/// <summary>The Blazor Server UI (Radzen components) and the feature services its pages use.</summary>
internal static class UiSetup
{
    public static WebApplicationBuilder AddUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        builder.Services.AddSingleton<StreamCatalog>();
        builder.Services.AddSingleton<ApiTokenService>();
        builder.Services.AddSingleton<UserAdministration>();
        return builder;
    }

    public static WebApplication MapUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        return app;
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Promotion.Registry;

public static class RegistrySetup
{
    /// <summary>
    /// Registers <see cref="RegistryClient"/> as a typed HttpClient with <c>ComposeGate:Registries</c>, validated at
    /// start-up, and one token cache for the app.
    /// </summary>
    public static IServiceCollection AddRegistryClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RegistryOptions>()
            .Configure(options => RegistryOptions.Bind(configuration.GetSection(RegistryOptions.Section), options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RegistryTokenCache>();
        // Each registry has its own timeout (RegistryHostOptions.TimeoutSeconds), applied per request by the client.
        services.AddHttpClient<RegistryClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(RegistryClient.CreateHandler);
        return services;
    }
}

using Microsoft.Extensions.Configuration.Json;

namespace ComposeGate.Web;

internal static class Configuration
{
    /// <summary>
    /// The repository keeps <c>appsettings.Development.json</c> at its root; the build copies it beside the
    /// app. In Development it is loaded right after the content root's settings, so environment variables
    /// and the command line still override it.
    /// </summary>
    public static WebApplicationBuilder AddRootDevelopmentSettings(this WebApplicationBuilder builder)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.Development.json");
        if (!builder.Environment.IsDevelopment() || !File.Exists(path))
        {
            return builder;
        }
        var sources = builder.Configuration.Sources;
        var lastJson = sources.Select((source, index) => (source, index)).LastOrDefault(s => s.source is JsonConfigurationSource).index;
        var settings = new JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
        settings.ResolveFileProvider();
        sources.Insert(lastJson + 1, settings);
        return builder;
    }

    public static WebApplicationBuilder AddComposeGateOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ComposeGateOptions>()
            .Bind(builder.Configuration.GetSection(ComposeGateOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ComposeGateOptions>, ComposeGateOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}

using Microsoft.Extensions.Configuration.Json;

namespace ComposeGate.Web;

internal static class Configuration
{
    /// <summary>
    /// Settings files beside the app are loaded even when it is started from another directory (the
    /// content root is the working directory). The repository keeps <c>appsettings.Development.json</c> at
    /// its root and the build copies it beside the app, so Development loads it from there. They come right
    /// after the content root's own files, so environment variables and the command line still win.
    /// </summary>
    public static WebApplicationBuilder AddSettingsBesideTheApp(this WebApplicationBuilder builder)
    {
        var files = new List<string>();
        if (!File.Exists(Path.Combine(builder.Environment.ContentRootPath, "appsettings.json")))
        {
            files.Add("appsettings.json");
            files.Add($"appsettings.{builder.Environment.EnvironmentName}.json");
        }
        else if (builder.Environment.IsDevelopment())
        {
            files.Add("appsettings.Development.json");
        }

        var sources = builder.Configuration.Sources;
        var position = sources.Select((source, index) => (source, index)).LastOrDefault(s => s.source is JsonConfigurationSource).index + 1;
        foreach (var path in files.Select(f => Path.Combine(AppContext.BaseDirectory, f)).Where(File.Exists))
        {
            var settings = new JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
            settings.ResolveFileProvider();
            sources.Insert(position++, settings);
        }
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

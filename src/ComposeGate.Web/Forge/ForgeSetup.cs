using ComposeGate.Web.Data;
using ComposeGate.Web.Forge.Local;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Forge;

/// <summary><c>ComposeGate:Forge</c>: which forge mirrors candidates as merge requests.</summary>
public sealed class ForgeOptions
{
    public const string Section = "ComposeGate:Forge";

    /// <summary><c>Local</c> (the built-in git forge, the default).</summary>
    public string Provider { get; set; } = "Local";

    /// <summary>Keeps merge requests in sync with candidates; on by default.</summary>
    public bool Enabled { get; set; } = true;

    public LocalSettings Local { get; set; } = new();

    public sealed class LocalSettings
    {
        /// <summary>The bare repository; default <c>compose-repo.git</c> in the data folder.</summary>
        public string? Repository { get; set; }
        public string TargetBranch { get; set; } = "main";
    }
}

internal sealed class ForgeOptionsValidator : IValidateOptions<ForgeOptions>
{
    public ValidateOptionsResult Validate(string? name, ForgeOptions options) =>
        options.Provider == "Local"
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"ComposeGate:Forge:Provider '{options.Provider}' is not available in this version; use Local.");
}

internal static class ForgeSetup
{
    public static WebApplicationBuilder AddForge(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForgeOptions>().Bind(builder.Configuration.GetSection(ForgeOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ForgeOptions>, ForgeOptionsValidator>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<ForgeOptions>>().Value;
            var repository = options.Local.Repository is { Length: > 0 } path
                ? Path.GetFullPath(path, builder.Environment.ContentRootPath)
                : Path.Combine(services.GetRequiredService<DataLocation>().DataDir, "compose-repo.git");
            return new LocalForgeOptions(repository, options.Local.TargetBranch);
        });
        builder.Services.AddSingleton<LocalForge>();
        builder.Services.AddSingleton<IForge>(services => services.GetRequiredService<LocalForge>());
        builder.Services.AddSingleton(services => new ForgeSyncOptions(
            services.GetRequiredService<LocalForgeOptions>().TargetBranch, Attempts: 5, FirstRetry: TimeSpan.FromSeconds(2)));
        builder.Services.AddSingleton<ForgeSync>();
        builder.Services.AddSingleton<GitLab.GitLabHookHandler>();
        if (builder.Configuration.GetValue(ForgeOptions.Section + ":Enabled", true))
        {
            builder.Services.AddHostedService(services => services.GetRequiredService<ForgeSync>());
        }
        return builder;
    }
}

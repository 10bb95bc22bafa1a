using ComposeGate.Web.Data;
using ComposeGate.Web.Forge.Local;
using Microsoft.Extensions.Options;
using ComposeGate.Web.Features.Jobs;

namespace ComposeGate.Web.Forge;

/// <summary><c>ComposeGate:Forge</c>: which forge mirrors candidates as merge requests.</summary>
public sealed class ForgeOptions
{
    public const string Section = "ComposeGate:Forge";

    /// <summary><c>Local</c> (the built-in git forge, the default) or <c>GitLab</c>.</summary>
    public string Provider { get; set; } = "Local";

    /// <summary>Keeps merge requests in sync with candidates; on by default.</summary>
    public bool Enabled { get; set; } = true;

    public LocalSettings Local { get; set; } = new();

    public GitLab.GitLabOptions GitLab { get; set; } = new();

    public sealed class LocalSettings
    {
        /// <summary>The bare repository; default <c>compose-repo.git</c> in the data folder.</summary>
        public string? Repository { get; set; }
        public string TargetBranch { get; set; } = "main";
    }
}

internal sealed class ForgeOptionsValidator : IValidateOptions<ForgeOptions>
{
    public ValidateOptionsResult Validate(string? name, ForgeOptions options)
    {
        if (options.Provider == "Local")
        {
            return ValidateOptionsResult.Success;
        }
        if (options.Provider != "GitLab")
        {
            return ValidateOptionsResult.Fail($"ComposeGate:Forge:Provider '{options.Provider}' is not a forge; use Local or GitLab.");
        }
        var errors = new List<string>();
        var gitlab = options.GitLab;
        if (!Uri.TryCreate(gitlab.BaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            errors.Add("ComposeGate:Forge:GitLab:BaseUrl must be the instance's http(s) URL.");
        }
        if (string.IsNullOrWhiteSpace(gitlab.Project))
        {
            errors.Add("ComposeGate:Forge:GitLab:Project is required (a project id or group/project).");
        }
        if (string.IsNullOrWhiteSpace(gitlab.Token))
        {
            errors.Add("ComposeGate:Forge:GitLab:Token is required (an access token with api scope).");
        }
        if (string.IsNullOrWhiteSpace(gitlab.WebhookSecret) || gitlab.WebhookSecret.Length < 16)
        {
            errors.Add("ComposeGate:Forge:GitLab:WebhookSecret is required (at least 16 characters): webhook deliveries are checked against it.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
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
        var configured = builder.Configuration.GetSection(ForgeOptions.Section).Get<ForgeOptions>() ?? new ForgeOptions();
        if (configured.Provider == "GitLab")
        {
            builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<ForgeOptions>>().Value.GitLab);
            builder.Services.AddHttpClient<GitLab.GitLabClient>();
            builder.Services.AddSingleton<IForge>(services => new GitLab.GitLabForge(
                services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(GitLab.GitLabClient)) is { } http
                    ? new GitLab.GitLabClient(http, services.GetRequiredService<GitLab.GitLabOptions>(),
                        services.GetRequiredService<ILogger<GitLab.GitLabClient>>(), services.GetRequiredService<TimeProvider>())
                    : throw new InvalidOperationException(),
                services.GetRequiredService<GitLab.GitLabOptions>(),
                services.GetRequiredService<ILogger<GitLab.GitLabForge>>()));
            builder.Services.AddTransient<GitLab.GitLabReconciler>();
            builder.Services.AddSingleton(ScheduledJob.Of<GitLab.GitLabReconcileJob>(GitLab.GitLabReconcileJob.Id,
                "Read back reactions and comments that a lost webhook did not deliver", GitLab.GitLabReconcileJob.Schedule,
                job => job.RunAsync(CancellationToken.None)));
        }
        else
        {
            builder.Services.AddSingleton<IForge>(services => services.GetRequiredService<LocalForge>());
        }
        builder.Services.AddSingleton(services => new ForgeSyncOptions(
            configured.Provider == "GitLab" ? configured.GitLab.TargetBranch : services.GetRequiredService<LocalForgeOptions>().TargetBranch));
        builder.Services.AddSingleton<ForgeSync>();
        builder.Services.AddSingleton<GitLab.GitLabHookHandler>();
        builder.Services.AddSingleton<MergeRequestQueue>();
        if (builder.Configuration.GetValue(ForgeOptions.Section + ":Enabled", true))
        {
            builder.Services.AddSingleton<IJobTrigger>(services => services.GetRequiredService<MergeRequestQueue>());
            builder.Services.AddSingleton(ScheduledJob.Of<MergeRequestJobs>(MergeRequestJobs.ReconcileId,
                "Enqueue the merge request job of every candidate whose merge request may be missing or out of date",
                "* * * * *", job => job.ReconcileAsync(CancellationToken.None), runAtStart: true));
        }
        return builder;
    }
}

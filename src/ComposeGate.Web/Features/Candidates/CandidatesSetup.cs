namespace ComposeGate.Web.Features.Candidates;

internal static class CandidatesSetup
{
    public static WebApplicationBuilder AddCandidates(this WebApplicationBuilder builder)
    {
        // Diffs of immutable manifests are cached; each entry counts 1 towards the limit.
        builder.Services.AddMemoryCache(options => options.SizeLimit = 32);
        builder.Services.AddHttpClient<ComposeFetcher>(http =>
        {
            http.Timeout = TimeSpan.FromMinutes(5);
            http.DefaultRequestHeaders.UserAgent.ParseAdd("ComposeGate/1.0");
        });
        builder.Services.AddSingleton<IngestProgress>();
        builder.Services.AddSingleton<CandidateCatalog>();
        builder.Services.AddTransient<CandidateIngestion>();

        var demo = builder.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        if (demo.Enabled)
        {
            builder.Services.AddSingleton(demo);
            builder.Services.AddHostedService<DemoData>();
        }
        return builder;
    }
}

using ComposeGate.Web.Features.Sources;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Candidates;

internal static class CandidatesSetup
{
    public static WebApplicationBuilder AddCandidates(this WebApplicationBuilder builder)
    {
        // Diffs of immutable manifests are cached; each entry counts 1 towards the limit.
        builder.Services.AddMemoryCache(options => options.SizeLimit = 32);
        // ComposeGate:Sources:TimeoutSeconds bounds each document, body included; the client's own timeout would not.
        builder.Services.AddHttpClient<ComposeFetcher>(http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("ComposeGate/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(services => ComposeFetcher.CreateHandler(services.GetRequiredService<IOptions<SourcesOptions>>().Value));
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

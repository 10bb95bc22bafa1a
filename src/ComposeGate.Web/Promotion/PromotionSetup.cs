using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Promotion.Registry;

namespace ComposeGate.Web.Promotion;

/// <summary>Promotion: the actions, the runner and its Hangfire jobs, automatic promotion, and the registry client.</summary>
internal static class PromotionSetup
{
    public static WebApplicationBuilder AddPromotion(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PromotionOptions>().Bind(builder.Configuration.GetSection(PromotionOptions.Section))
            .Validate(o => o.Tries is >= 1 and <= 20 && o.FirstRetrySeconds is >= 0 and <= 3600 && o.SweepSeconds is >= 1 and <= 3600,
                $"{PromotionOptions.Section}: Tries must be 1–20, FirstRetrySeconds 0–3600, SweepSeconds 1–3600.")
            .ValidateOnStart();
        services.AddRegistryClient(builder.Configuration);
        services.AddSingleton<IPromotionAction, PublishAction>();
        services.AddSingleton<IPromotionAction, RetagAction>();
        services.AddSingleton<IPromotionAction, WebhookAction>();
        services.AddSingleton<IPromotionAction, CommandAction>();
        services.AddSingleton<PromotionRunner>();
        services.AddSingleton<PromotionQueue>();
        services.AddSingleton<IJobTrigger>(sp => sp.GetRequiredService<PromotionQueue>());

        var sweep = builder.Configuration.GetValue($"{PromotionOptions.Section}:SweepSeconds", new PromotionOptions().SweepSeconds);
        services.AddSingleton(ScheduledJob.Of<PromotionJobs>(PromotionJobs.SweepId,
            "Resume unfinished promotions, promote approved candidates of promote: auto streams, open issues a forge outage left unopened",
            CronSchedule.EverySeconds(Math.Clamp(sweep, 1, 3600)), job => job.SweepAsync(CancellationToken.None), runAtStart: true));
        return builder;
    }
}

using ComposeGate.Web.Promotion.Registry;
using Quartz;

namespace ComposeGate.Web.Promotion;

/// <summary>Promotion: the actions, the runner and its Quartz job, automatic promotion, and the registry client.</summary>
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
        services.AddSingleton<Features.Jobs.JobsService>();
        services.AddSingleton<AutoPromotion>();
        services.AddHostedService(sp => sp.GetRequiredService<AutoPromotion>());

        var sweep = builder.Configuration.GetValue($"{PromotionOptions.Section}:SweepSeconds", new PromotionOptions().SweepSeconds);
        services.AddQuartz(quartz => quartz.ScheduleJob<PromotionJob>(
            trigger => trigger.WithIdentity("promotion-sweep").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(Math.Clamp(sweep, 1, 3600))).RepeatForever()),
            job => job.WithIdentity(PromotionJob.Key).StoreDurably()
                .WithDescription("Run requested and unfinished promotions; promote approved candidates of promote: auto streams")));
        return builder;
    }
}

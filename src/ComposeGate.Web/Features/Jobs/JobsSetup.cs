using ComposeGate.Web.Access;
using ComposeGate.Web.Data;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Background work on Hangfire: the storage behind <see cref="IJobStorageProvider"/>, one server in this process,
/// the recurring jobs the features declare (<see cref="ScheduledJob"/>), the triggers that enqueue work when something
/// changes (<see cref="IJobTrigger"/>), and the dashboard at <c>/hangfire</c> behind our sign-in.
/// </summary>
internal static class JobsSetup
{
    public const string DashboardPath = "/hangfire";

    private static readonly Lock ProcessWide = new();
    private static bool processConfigured;

    public static WebApplicationBuilder AddJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>().Bind(builder.Configuration.GetSection(JobsOptions.Section))
            .Validate(o => o.Validate() is null, "ComposeGate:Jobs: Workers must be 2–20, QueuePollSeconds and SchedulePollSeconds 1–60.")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        services.AddSingleton<JobsService>();
        // Ours, not Hangfire's JobStorage.Current and JobActivator.Current: those are process-wide, and an app's jobs
        // must run against its own storage and services (the tests run several apps in one process).
        services.AddSingleton(sp => sp.GetRequiredService<IJobStorageProvider>().Open(TimeSpan.FromSeconds(options.QueuePollSeconds)));
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        // After AddAntiforgery (AddUi): the dashboard's POSTs then carry and check ASP.NET Core's antiforgery token.
        services.AddHangfire((sp, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseStorage(sp.GetRequiredService<JobStorage>())
                .UseLogProvider(new HangfireLogging(sp.GetRequiredService<ILoggerFactory>()));
            // Lists Hangfire keeps for the whole process, and reads while jobs run: changed once, never again.
            lock (ProcessWide)
            {
                if (!processConfigured)
                {
                    config.UseDashboardStylesheet(typeof(JobsSetup).Assembly, "ComposeGate.Web.Features.Jobs.Dashboard.css");
                    // A job that throws is retried only where the job says so ([AutomaticRetry] with its own limits), not ten times.
                    foreach (var retry in GlobalJobFilters.Filters.Where(f => f.Instance is AutomaticRetryAttribute).ToList())
                    {
                        GlobalJobFilters.Filters.Remove(retry.Instance);
                    }
                    GlobalJobFilters.Filters.Add(new AutomaticRetryAttribute { Attempts = 0 });
                    processConfigured = true;
                }
            }
        });
        services.AddHangfireServer((sp, server) =>
        {
            var settings = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            server.WorkerCount = settings.Workers;
            server.SchedulePollingInterval = TimeSpan.FromSeconds(settings.SchedulePollSeconds);
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            server.ShutdownTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }

    /// <summary>Declares the recurring jobs (removing those no longer declared, such as a deleted stream's poll) and starts the triggers.</summary>
    public static void ScheduleJobs(this WebApplication app)
    {
        var manager = app.Services.GetRequiredService<IRecurringJobManager>();
        var declared = app.Services.GetServices<ScheduledJob>().ToList();
        foreach (var job in declared)
        {
            manager.AddOrUpdate(job.Id, job.Job, job.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        using (var connection = app.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            foreach (var stale in Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Where(r => declared.All(d => d.Id != r.Id)))
            {
                manager.RemoveIfExists(stale.Id);
            }
        }
        foreach (var trigger in app.Services.GetServices<IJobTrigger>())
        {
            trigger.Start();
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var job in declared.Where(j => j.RunAtStart))
            {
                manager.Trigger(job.Id);
            }
        });
    }

    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder app)
    {
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            DashboardTitle = "ComposeGate · Jobs",
            AppPath = "/jobs",
            Authorization = [new DashboardAccess()],
            IsReadOnlyFunc = DashboardAccess.IsReadOnly,
            DisplayStorageConnectionString = false,
            // The page refreshes its counters every few seconds; it need not poll faster than people read.
            StatsPollingInterval = 5000,
        }).RequireAuthorization(AccessPolicies.Dashboard);
        return app;
    }
}

/// <summary>Enqueues work when something changes (subscribes to the change feed); started once the storage is open.</summary>
public interface IJobTrigger
{
    void Start();
}

using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Candidates;
using ComposeGate.Checklists;
using ComposeGate.Forge;
using ComposeGate.Gating;
using ComposeGate.Policies;
using ComposeGate.Promotion;
using ComposeGate.Streams;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Data;

/// <summary>The one database of ComposeGate: Identity, the gate's domain, and its history.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<ReleaseStream> Streams => Set<ReleaseStream>();
    public DbSet<SourcePoll> SourcePolls => Set<SourcePoll>();
    public DbSet<Candidate> Candidates => Set<Candidate>();
    public DbSet<CandidatePackage> CandidatePackages => Set<CandidatePackage>();
    public DbSet<CandidateRpm> CandidateRpms => Set<CandidateRpm>();
    public DbSet<Result> Results => Set<Result>();
    public DbSet<Vote> Votes => Set<Vote>();
    public DbSet<Waiver> Waivers => Set<Waiver>();
    public DbSet<ChecklistTemplate> ChecklistTemplates => Set<ChecklistTemplate>();
    public DbSet<ChecklistItem> ChecklistItems => Set<ChecklistItem>();
    public DbSet<ChecklistRun> ChecklistRuns => Set<ChecklistRun>();
    public DbSet<ChecklistItemState> ChecklistItemStates => Set<ChecklistItemState>();
    public DbSet<Policy> Policies => Set<Policy>();
    public DbSet<MergeRequestLink> MergeRequests => Set<MergeRequestLink>();
    public DbSet<IssueLink> Issues => Set<IssueLink>();
    public DbSet<ForgeNote> ForgeNotes => Set<ForgeNote>();
    public DbSet<HookReceipt> HookReceipts => Set<HookReceipt>();
    public DbSet<PromotionAttempt> PromotionAttempts => Set<PromotionAttempt>();
    public DbSet<PromotionStep> PromotionSteps => Set<PromotionStep>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<Events.WebhookDelivery> WebhookDeliveries => Set<Events.WebhookDelivery>();
    public DbSet<Events.BusOutboxMessage> BusOutbox => Set<Events.BusOutboxMessage>();
    public DbSet<Bus.Announcement> Announcements => Set<Bus.Announcement>();

    /// <summary>Identity's schema: version 3 has the passkeys table (migration Passkeys). AccessSetup configures the same.</summary>
    public static readonly Version IdentitySchema = IdentitySchemaVersions.Version3;

    // Identity reads its schema version from the IdentityOptions of the app's services, and EF caches one model for
    // every context of this type: a context made without them (design-time tools, tests) would otherwise describe an
    // older schema, and could leave that model in the cache for the app's own contexts.
    private static readonly IServiceProvider IdentitySchemaOnly = new ServiceCollection()
        .Configure<IdentityOptions>(identity => identity.Stores.SchemaVersion = IdentitySchema)
        .BuildServiceProvider();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        if (optionsBuilder.Options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider is null)
        {
            optionsBuilder.UseApplicationServiceProvider(IdentitySchemaOnly);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no time type and EF Core's SQLite provider cannot order or compare DateTimeOffset in SQL
        // (still so in EF Core 10), so times are stored as UTC ticks: exact, sortable, comparable in indexes,
        // and the same column type on every engine.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<StreamKind>().HaveConversion<string>();
        configurationBuilder.Properties<CandidateStatus>().HaveConversion<string>();
        configurationBuilder.Properties<RpmCategory>().HaveConversion<string>();
        configurationBuilder.Properties<Outcome>().HaveConversion<string>();
        configurationBuilder.Properties<VoteSource>().HaveConversion<string>();
        configurationBuilder.Properties<ChecklistItemOutcome>().HaveConversion<string>();
        configurationBuilder.Properties<ForgeProvider>().HaveConversion<string>();
        configurationBuilder.Properties<MergeRequestState>().HaveConversion<string>();
        configurationBuilder.Properties<PromotionTrigger>().HaveConversion<string>();
        configurationBuilder.Properties<PromotionStatus>().HaveConversion<string>();
        configurationBuilder.Properties<Bus.AnnouncementOutcome>().HaveConversion<string>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }
}

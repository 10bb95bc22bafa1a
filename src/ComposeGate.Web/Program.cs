using ComposeGate.Web;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Bus;
using ComposeGate.Web.Components;
using ComposeGate.Web.Data;
using ComposeGate.Web.Features.Candidates;
using ComposeGate.Web.Features.Checklists;
using ComposeGate.Web.Features.Decisions;
using ComposeGate.Web.Features.Events;
using ComposeGate.Web.Features.Health;
using ComposeGate.Web.Features.Jobs;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Features.Streams;
using ComposeGate.Web.Features.Tokens;
using ComposeGate.Web.Forge;
using ComposeGate.Web.Forge.GitLab;
using ComposeGate.Web.Promotion;

var builder = WebApplication.CreateBuilder(args);

builder.AddSettingsBesideTheApp();
builder.AddComposeGateOptions();
builder.AddData();
builder.AddAccess();
builder.AddApi();
builder.AddHealth();
builder.AddCandidates();
builder.AddSources();
builder.AddGating();
builder.AddPromotion();
builder.AddForge();
builder.AddOutgoingEvents();
builder.AddBus();
builder.AddUi();
builder.AddJobs();

var app = builder.Build();

await app.MigrateDatabaseAsync();
await AccessBootstrap.RunAsync(app);
await app.EnsureConfiguredStreamsAsync();
await GitpodChecklist.EnsureAsync(app);
app.ScheduleJobs();

if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}
app.UseSecurityHeaders();
app.UseApiErrors();
app.UseRequestBodyChecks();
// Routing after the status-code pages, so a re-executed "not found" finds the page that says so.
app.UseRouting();
app.UseSignInRateLimit();
app.UseAuthentication();
app.UseApiOriginCheck();
app.UseAuthorization();
app.UseAntiforgery();
app.UseJobDashboardAudit();

app.MapHealth();
app.MapOpenApi().AllowAnonymous();
app.MapStreamsApi();
app.MapTokensApi();
app.MapCandidatesApi();
app.MapGatingApi();
app.MapEventsApi();
app.MapBusApi();
app.MapGitLabHooks();
app.MapJobsDashboard();
app.MapUi();

app.Run();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;

using ComposeGate.Data;
using ComposeGate.Forge;
using Microsoft.EntityFrameworkCore;
using Hangfire;

namespace ComposeGate.Web.Forge.GitLab;

/// <summary>
/// Webhooks get lost (GitLab disables a failing hook for a while). Every few minutes the reactions and comments
/// of open merge requests are read back and fed through the same handler; what was already handled is skipped
/// by its GitLab id, so nothing counts twice.
/// </summary>
public sealed class GitLabReconciler(
    GitLabClient client,
    GitLabHookHandler handler,
    IDbContextFactory<AppDbContext> dbFactory,
    IConfiguration configuration,
    ILogger<GitLabReconciler> logger)
{
    public async Task<int> ReconcileAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var open = await db.MergeRequests.AsNoTracking()
            .Where(m => m.Provider == ForgeProvider.GitLab && m.State == MergeRequestState.Opened)
            .Select(m => new { m.Number, m.SourceBranch }).ToListAsync(ct);
        var bot = configuration["ComposeGate:Forge:GitLab:BotUsername"];
        var acted = 0;
        foreach (var mr in open)
        {
            var mergeRequest = new GitLabHookMergeRequest(mr.Number);
            await foreach (var award in client.ListMergeRequestAwardsAsync(mr.Number, ct))
            {
                acted += Count(await handler.HandleAsync(null, "reconcile", new GitLabHookEvent("emoji", new(award.User?.Username), mergeRequest,
                    new GitLabHookAttributes(award.Id, award.Name, "award", award.AwardableType ?? "MergeRequest")), bot, ct));
            }
            await foreach (var note in client.ListMergeRequestNotesAsync(mr.Number, ct))
            {
                acted += Count(await handler.HandleAsync(null, "reconcile", new GitLabHookEvent("note", new(note.Author?.Username), mergeRequest,
                    new GitLabHookAttributes(note.Id, Note: note.Body, System: note.System)), bot, ct));
            }
        }
        if (acted > 0)
        {
            logger.LogInformation("Reconciliation with GitLab acted on {Count} reactions or comments that no webhook had delivered", acted);
        }
        return acted;
    }

    private static int Count(GitLabHookHandler.HookOutcome outcome) => outcome.Action is "vote" or "waiver" or "retest" ? 1 : 0;
}

/// <summary>Every five minutes (<c>gitlab-reconcile</c>): reactions and comments a lost webhook did not deliver. Retried twice, 30 s and 90 s later.</summary>
public sealed class GitLabReconcileJob(GitLabReconciler reconciler)
{
    public const string Id = "gitlab-reconcile";
    public const string Schedule = "*/5 * * * *";

    [JobDisplayName("Read back GitLab reactions and comments")]
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [30, 90])]
    public Task RunAsync(CancellationToken ct) => reconciler.ReconcileAsync(ct);
}

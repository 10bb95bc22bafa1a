using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Forge;
using ComposeGate.Gating;
using ComposeGate.Web.Access;
using ComposeGate.Web.Features.Results;
using ComposeGate.Web.Features.Votes;
using ComposeGate.Web.Features.Waivers;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Forge.GitLab;

/// <summary>
/// Feedback from merge requests on GitLab: 👍 / 👎 and <c>/approve</c>, <c>/block &lt;reason&gt;</c> comments become
/// votes of the GitLab user's ComposeGate account; <c>/waive &lt;testcase&gt; &lt;reason&gt;</c> and
/// <c>/retest &lt;testcase&gt;</c> act as in our UI, with that account's roles. Anything else, unknown users,
/// our own notes and system notes are ignored safely. Deliveries are deduplicated by Idempotency-Key.
/// </summary>
public sealed partial class GitLabHookHandler(
    IDbContextFactory<AppDbContext> dbFactory,
    VoteService votes,
    WaiverService waivers,
    ResultService results,
    TimeProvider clock,
    ILogger<GitLabHookHandler> logger)
{
    /// <summary>What the hook did, for the answer and the logs.</summary>
    public sealed record HookOutcome(string Action, string? Detail = null);

    /// <summary>The token GitLab sends, checked in constant time against the configured secret.</summary>
    public static bool IsAuthentic(string? configuredSecret, string? presented) =>
        !string.IsNullOrEmpty(configuredSecret) && presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(configuredSecret)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    public async Task<HookOutcome> HandleAsync(string? idempotencyKey, string? eventName, GitLabHookEvent hook, string? botUsername, CancellationToken ct)
    {
        if (idempotencyKey is { Length: > 0 and <= 200 } key && !await FirstTimeAsync(key, eventName ?? "", ct))
        {
            return new HookOutcome("duplicate", key);
        }
        var kind = hook.ObjectKind;
        var username = hook.User?.Username;
        if (username is null || username == botUsername)
        {
            return new HookOutcome("ignored", "no user, or our own event");
        }
        var iid = hook.MergeRequest?.Iid;
        if (iid is null)
        {
            return new HookOutcome("ignored", "not about a merge request");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidateId = await db.MergeRequests.Where(m => m.Provider == ForgeProvider.GitLab && m.Number == iid).Select(m => m.CandidateId).SingleOrDefaultAsync(ct);
        if (candidateId is null)
        {
            return new HookOutcome("ignored", $"!{iid} is not a candidate's merge request");
        }
        // The same reaction or comment may arrive twice (a webhook retry, and the reconciliation that catches missed
        // webhooks): it is acted on once, keyed by GitLab's own id of it.
        var attributes = hook.ObjectAttributes ?? new GitLabHookAttributes();
        if (attributes.Id is { } objectId && !await FirstTimeAsync($"gitlab:{kind}:{objectId}", eventName ?? kind ?? "", ct))
        {
            return new HookOutcome("duplicate", $"{kind} {objectId}");
        }
        // GitLab user names ignore case, and so does the profile's unique one.
        var forgeName = ApplicationUser.NormalizeForgeUsername(username);
        var account = await db.Users.AsNoTracking().SingleOrDefaultAsync(a => a.NormalizedForgeUsername == forgeName && a.DisabledAt == null, ct);
        if (account is null)
        {
            logger.LogInformation("GitLab user {User} has no ComposeGate account; their {Kind} on !{Iid} is ignored", username, kind, iid);
            return new HookOutcome("ignored", $"GitLab user '{username}' is not mapped to an account");
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            (await db.RolesOfAsync(account.Id, ct)).Select(r => new Claim(ClaimTypes.Role, r)).Prepend(new Claim(ClaimTypes.Name, account.UserName!)), "gitlab"));

        return kind switch
        {
            "emoji" => await EmojiAsync(principal, candidateId, attributes, ct),
            "note" => await NoteAsync(principal, candidateId, attributes, ct),
            _ => new HookOutcome("ignored", $"event '{kind}'"),
        };
    }

    private async Task<HookOutcome> EmojiAsync(ClaimsPrincipal who, string candidateId, GitLabHookAttributes attributes, CancellationToken ct)
    {
        var name = attributes.Name;
        var action = attributes.Action ?? "award";
        var type = attributes.AwardableType;
        if (action != "award" || type is not (null or "MergeRequest"))
        {
            // A withdrawn reaction is not a vote either way; the person's previous vote stands until they vote again.
            return new HookOutcome("ignored", $"{action} of {name}");
        }
        int? value = name switch { "thumbsup" or "+1" => 1, "thumbsdown" or "-1" => -1, _ => null };
        return value is null
            ? new HookOutcome("ignored", $"emoji '{name}'")
            : Report(await votes.CastAsync(who, candidateId, value, value > 0 ? "👍 on the merge request" : "👎 on the merge request", VoteSource.Forge, ct), "vote");
    }

    private async Task<HookOutcome> NoteAsync(ClaimsPrincipal who, string candidateId, GitLabHookAttributes attributes, CancellationToken ct)
    {
        if (attributes.System == true)
        {
            return new HookOutcome("ignored", "system note");
        }
        var text = attributes.Note ?? "";
        var command = Command().Match(text.Trim());
        if (!command.Success)
        {
            return new HookOutcome("ignored", "no command");
        }
        var argument = command.Groups["argument"].Value.Trim();
        switch (command.Groups["command"].Value)
        {
            case "approve":
                return Report(await votes.CastAsync(who, candidateId, 1, argument.Length == 0 ? "/approve on the merge request" : argument, VoteSource.Forge, ct), "vote");
            case "block":
                return Report(await votes.CastAsync(who, candidateId, -1, argument, VoteSource.Forge, ct), "vote");
            case "waive":
                var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return Report(await waivers.WaiveAsync(who, candidateId,
                    new WaiverRequest(parts.ElementAtOrDefault(0), null, parts.ElementAtOrDefault(1), null), ct), "waiver");
            case "retest":
                // A retest request is recorded as a queued result: the requirement shows pending, and bots
                // following the timeline or the results API pick it up.
                return Report(await results.ReportAsync(who, candidateId,
                    new ResultSubmission(argument, "QUEUED", null, null, $"retest requested by {Actor.NameOf(who)} on the merge request", null), ct), "retest");
            default:
                return new HookOutcome("ignored", "unknown command");
        }
    }

    private static HookOutcome Report<T>(Api.Outcome<T> outcome, string action) =>
        outcome.Message is { } refused ? new HookOutcome("refused", $"{action}: {refused}") : new HookOutcome(action);

    private async Task<bool> FirstTimeAsync(string key, string eventName, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.HookReceipts.Add(new HookReceipt { Key = key, Event = eventName, ReceivedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^/(?<command>approve|block|waive|retest)\b(?<argument>.*)$", RegexOptions.Singleline)]
    private static partial Regex Command();
}

/// <summary>
/// The parts of a GitLab webhook body that are acted on (GitLab's snake_case names), read strictly: a field of the
/// wrong type refuses the whole delivery, so a malformed event is never half acted on.
/// </summary>
public sealed record GitLabHookEvent(string? ObjectKind = null, GitLabHookUser? User = null, GitLabHookMergeRequest? MergeRequest = null,
    GitLabHookAttributes? ObjectAttributes = null)
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

public sealed record GitLabHookUser(string? Username);

public sealed record GitLabHookMergeRequest(long? Iid);

/// <summary>A note's or reaction's own attributes; <c>id</c> is GitLab's id of it, which deduplicates deliveries.</summary>
public sealed record GitLabHookAttributes(long? Id = null, string? Name = null, string? Action = null, string? AwardableType = null, string? Note = null,
    bool? System = null);

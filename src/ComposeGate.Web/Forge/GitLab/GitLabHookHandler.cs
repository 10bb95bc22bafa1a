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

    public async Task<HookOutcome> HandleAsync(string? idempotencyKey, string? eventName, JsonElement payload, string? botUsername, CancellationToken ct)
    {
        if (idempotencyKey is { Length: > 0 and <= 200 } key && !await FirstTimeAsync(key, eventName ?? "", ct))
        {
            return new HookOutcome("duplicate", key);
        }
        var kind = payload.TryGetProperty("object_kind", out var k) ? k.GetString() : null;
        var username = payload.TryGetProperty("user", out var user) && user.TryGetProperty("username", out var u) ? u.GetString() : null;
        if (username is null || username == botUsername)
        {
            return new HookOutcome("ignored", "no user, or our own event");
        }
        var iid = payload.TryGetProperty("merge_request", out var mr) && mr.TryGetProperty("iid", out var i) && i.TryGetInt64(out var n) ? n : (long?)null;
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
        if (payload.TryGetProperty("object_attributes", out var objectAttributes) && objectAttributes.TryGetProperty("id", out var objectId)
            && !await FirstTimeAsync($"gitlab:{kind}:{objectId.GetRawText()}", eventName ?? kind ?? "", ct))
        {
            return new HookOutcome("duplicate", $"{kind} {objectId.GetRawText()}");
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
            "emoji" => await EmojiAsync(principal, candidateId, payload, ct),
            "note" => await NoteAsync(principal, candidateId, payload, ct),
            _ => new HookOutcome("ignored", $"event '{kind}'"),
        };
    }

    private async Task<HookOutcome> EmojiAsync(ClaimsPrincipal who, string candidateId, JsonElement payload, CancellationToken ct)
    {
        var attributes = payload.GetProperty("object_attributes");
        var name = attributes.TryGetProperty("name", out var n) ? n.GetString() : null;
        var action = attributes.TryGetProperty("action", out var a) ? a.GetString() : "award";
        var type = attributes.TryGetProperty("awardable_type", out var t) ? t.GetString() : null;
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

    private async Task<HookOutcome> NoteAsync(ClaimsPrincipal who, string candidateId, JsonElement payload, CancellationToken ct)
    {
        var attributes = payload.GetProperty("object_attributes");
        if (attributes.TryGetProperty("system", out var system) && system.ValueKind == JsonValueKind.True)
        {
            return new HookOutcome("ignored", "system note");
        }
        var text = (attributes.TryGetProperty("note", out var note) ? note.GetString() : null) ?? "";
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

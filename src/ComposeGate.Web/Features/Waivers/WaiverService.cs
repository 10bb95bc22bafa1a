using System.Security.Claims;
using System.Text.RegularExpressions;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Gating;
using ComposeGate.Policies;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Candidates;
using ComposeGate.Web.Features.Decisions;
using ComposeGate.Web.Features.Results;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Waivers;

/// <summary>
/// A release engineer accepts a failed or missing testcase (or checklist, as <c>checklist.&lt;template&gt;</c>)
/// for one candidate, with a reason and an optional expiry. Revoking keeps the waiver in history.
/// </summary>
public sealed class WaiverService(IDbContextFactory<AppDbContext> dbFactory, DecisionService decisions, TimeProvider clock)
{
    public const int MaxReasonLength = 4_000;

    public async Task<Outcome<WaiverView>> WaiveAsync(ClaimsPrincipal actor, string candidateId, WaiverRequest request, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<WaiverView>.Forbidden("Waiving needs the ReleaseEngineer role or above.");
        }
        var errors = new FieldErrors();
        var testcase = TestcaseName.Validate(request.Testcase, errors, missing: "A testcase is required (checklist.<template> for a checklist).");
        var scenario = request.Scenario?.Trim() ?? "";
        errors.AddIf(scenario.Length > 200 || scenario.Any(char.IsControl), "scenario", "A scenario is at most 200 printable characters.");
        errors.AddIf(string.IsNullOrWhiteSpace(request.Reason), "reason", "A reason is required: it stays in the history.");
        errors.AddIf(request.Reason is { Length: > MaxReasonLength }, "reason", $"At most {MaxReasonLength} characters.");
        var now = clock.GetUtcNow();
        errors.AddIf(request.Expires is { } expires && expires <= now, "expires", "The expiry must be in the future.");
        if (errors.Any)
        {
            return errors;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A waiver of a checklist nobody can run would wait forever for a requirement that never appears.
        var template = testcase.StartsWith(DecisionEvaluator.ChecklistTestcasePrefix, StringComparison.Ordinal)
            ? testcase[DecisionEvaluator.ChecklistTestcasePrefix.Length..]
            : null;
        if (template is not null && !await db.ChecklistTemplates.AnyAsync(t => t.Name == template, ct))
        {
            return new FieldErrors().Add("testcase", $"No checklist template '{template}'.");
        }
        var streamId = await db.StreamIdOfAsync(candidateId, ct);
        if (streamId is null)
        {
            return new Outcome<WaiverView>.NotFound($"No candidate '{candidateId}'.");
        }
        var waiver = new Waiver
        {
            CandidateId = candidateId,
            Testcase = testcase,
            Scenario = scenario,
            Reason = request.Reason!.Trim(),
            CreatedBy = Actor.NameOf(actor),
            CreatedAt = now,
            ExpiresAt = request.Expires?.ToUniversalTime(),
        };
        db.Waivers.Add(waiver);
        await db.SaveChangesAsync(ct);
        db.Record(now, waiver.CreatedBy, "waiver.created",
            $"Waived {testcase}{(scenario.Length == 0 ? "" : $" ({scenario})")}: {waiver.Reason}{(waiver.ExpiresAt is { } e ? $" (until {e:yyyy-MM-dd HH:mm} UTC)" : "")}",
            candidateId: candidateId, streamId: streamId, data: new { waiver.Id, testcase, scenario, waiver.Reason, waiver.ExpiresAt });
        await db.SaveChangesAsync(ct);
        await decisions.RecomputeAsync(candidateId, waiver.CreatedBy, ct);
        return ToView(waiver, now);
    }

    public async Task<Outcome<WaiverView>> RevokeAsync(ClaimsPrincipal actor, long waiverId, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.ReleaseEngineer))
        {
            return new Outcome<WaiverView>.Forbidden("Revoking waivers needs the ReleaseEngineer role or above.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var waiver = await db.Waivers.SingleOrDefaultAsync(w => w.Id == waiverId, ct);
        if (waiver is null)
        {
            return new Outcome<WaiverView>.NotFound($"No waiver {waiverId}.");
        }
        var now = clock.GetUtcNow();
        if (waiver.RevokedAt is null)
        {
            waiver.RevokedAt = now;
            waiver.RevokedBy = Actor.NameOf(actor);
            var streamId = await db.Candidates.Where(c => c.Id == waiver.CandidateId).Select(c => c.StreamId).SingleAsync(ct);
            db.Record(now, waiver.RevokedBy, "waiver.revoked", $"Revoked the waiver of {waiver.Testcase}{(waiver.Scenario.Length == 0 ? "" : $" ({waiver.Scenario})")}",
                candidateId: waiver.CandidateId, streamId: streamId, data: new { waiver.Id });
            await db.SaveChangesAsync(ct);
            await decisions.RecomputeAsync(waiver.CandidateId, waiver.RevokedBy, ct);
        }
        return ToView(waiver, now);
    }

    public async Task<IReadOnlyList<WaiverView>> ListAsync(string candidateId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        return (await db.Waivers.AsNoTracking().Where(w => w.CandidateId == candidateId).OrderByDescending(w => w.Id).ToListAsync(ct))
            .Select(w => ToView(w, now)).ToList();
    }

    private static WaiverView ToView(Waiver waiver, DateTimeOffset now) => new(waiver.Id, waiver.CandidateId, waiver.Testcase,
        waiver.Scenario.Length == 0 ? null : waiver.Scenario, waiver.Reason, waiver.CreatedBy, waiver.CreatedAt, waiver.ExpiresAt,
        waiver.RevokedAt, waiver.RevokedBy,
        waiver.RevokedAt is not null ? "revoked" : waiver.ExpiresAt is { } e && e <= now ? "expired" : "active");
}

public sealed record WaiverRequest(string? Testcase, string? Scenario, string? Reason, DateTimeOffset? Expires);

public sealed record WaiverView(long Id, string Candidate, string Testcase, string? Scenario, string Reason, string CreatedBy, DateTimeOffset Created,
    DateTimeOffset? Expires, DateTimeOffset? Revoked, string? RevokedBy, string State);

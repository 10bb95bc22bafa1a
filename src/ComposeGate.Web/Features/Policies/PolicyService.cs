using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Policies;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Decisions;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Policies;

/// <summary>
/// Per-stream policies as code: YAML, validated with a line number for every error, versioned with their
/// author. A new version recomputes the decisions of the stream's open candidates.
/// </summary>
public sealed class PolicyService(IDbContextFactory<AppDbContext> dbFactory, DecisionService decisions, TimeProvider clock)
{
    public const int MaxYamlLength = 64 * 1024;

    public async Task<PolicyView?> GetAsync(string stream, int? version = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var policy = await db.Policies.AsNoTracking()
            .Where(p => db.Streams.Any(s => s.Id == p.StreamId && s.Name == stream) && (version == null || p.Version == version))
            .OrderByDescending(p => p.Version).FirstOrDefaultAsync(ct);
        return policy is null ? null : new PolicyView(stream, policy.Version, policy.Yaml, policy.CreatedBy, policy.CreatedAt, policy.Comment);
    }

    public async Task<IReadOnlyList<PolicyView>> HistoryAsync(string stream, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Policies.AsNoTracking().Where(p => db.Streams.Any(s => s.Id == p.StreamId && s.Name == stream))
            .OrderByDescending(p => p.Version)
            .Select(p => new PolicyView(stream, p.Version, p.Yaml, p.CreatedBy, p.CreatedAt, p.Comment)).ToListAsync(ct);
    }

    /// <summary>Validates without saving: for the editor, as the admin types.</summary>
    public async Task<PolicyParseResult> ValidateAsync(string yaml, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return PolicyParser.Parse(yaml, await ContextAsync(db, ct));
    }

    public async Task<Outcome<SavedPolicy>> SaveAsync(ClaimsPrincipal actor, string stream, string yaml, string? comment = null, CancellationToken ct = default)
    {
        if (!Actor.Has(actor, Roles.Admin))
        {
            return new Outcome<SavedPolicy>.Forbidden("Only admins may change policies.");
        }
        if (yaml.Length > MaxYamlLength)
        {
            return new FieldErrors().Add("policy", $"A policy is at most {MaxYamlLength / 1024} KiB.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var target = await db.Streams.SingleOrDefaultAsync(s => s.Name == stream, ct);
        if (target is null)
        {
            return new Outcome<SavedPolicy>.NotFound($"No stream named '{stream}'.");
        }
        var parsed = PolicyParser.Parse(yaml, await ContextAsync(db, ct));
        if (!parsed.IsValid)
        {
            var errors = new FieldErrors();
            foreach (var error in parsed.Errors)
            {
                errors.Add($"line {error.Line}", $"line {error.Line}, column {error.Column}: {error.Message}");
            }
            return errors;
        }
        var current = await db.Policies.Where(p => p.StreamId == target.Id).OrderByDescending(p => p.Version).FirstOrDefaultAsync(ct);
        if (current?.Yaml == yaml)
        {
            return new SavedPolicy(new PolicyView(stream, current.Version, current.Yaml, current.CreatedBy, current.CreatedAt, current.Comment), Created: false);
        }
        var now = clock.GetUtcNow();
        var policy = new Policy
        {
            StreamId = target.Id,
            Version = (current?.Version ?? 0) + 1,
            Yaml = yaml,
            CreatedBy = Actor.NameOf(actor),
            CreatedAt = now,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(),
        };
        db.Policies.Add(policy);
        db.Record(now, policy.CreatedBy, "policy.saved", $"Policy of '{stream}' is now version {policy.Version}", streamId: target.Id,
            data: new { policy.Version, requirements = parsed.Policy!.Requires.Count, promote = parsed.Policy.Promote });
        await db.SaveChangesAsync(ct);
        await decisions.RecomputeStreamAsync(target.Id, policy.CreatedBy, ct);
        return new SavedPolicy(new PolicyView(stream, policy.Version, policy.Yaml, policy.CreatedBy, policy.CreatedAt, policy.Comment), Created: true);
    }

    private static async Task<PolicyContext> ContextAsync(AppDbContext db, CancellationToken ct) =>
        new((await db.ChecklistTemplates.Select(t => t.Name).Distinct().ToListAsync(ct)).ToHashSet(StringComparer.Ordinal));
}

public sealed record PolicyView(string Stream, int Version, string Yaml, string CreatedBy, DateTimeOffset Created, string? Comment);

public sealed record SavedPolicy(PolicyView Policy, bool Created);

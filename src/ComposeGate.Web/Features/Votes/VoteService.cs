using System.Security.Claims;
using ComposeGate.Access;
using ComposeGate.Audit;
using ComposeGate.Data;
using ComposeGate.Gating;
using ComposeGate.Web.Access;
using ComposeGate.Web.Api;
using ComposeGate.Web.Features.Candidates;
using ComposeGate.Web.Features.Decisions;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Votes;

/// <summary>+1 / −1 on a candidate, with a comment. A person's latest vote counts; any −1 blocks.</summary>
public sealed class VoteService(IDbContextFactory<AppDbContext> dbFactory, DecisionService decisions, TimeProvider clock)
{
    public const int MaxCommentLength = 4_000;

    public async Task<Outcome<VoteView>> CastAsync(ClaimsPrincipal voter, string candidateId, int? value, string? comment, VoteSource source, CancellationToken ct = default)
    {
        if (!Actor.Has(voter, Roles.Tester))
        {
            return new Outcome<VoteView>.Forbidden("Voting needs the Tester role or above.");
        }
        var errors = new FieldErrors();
        errors.AddIf(value is not (1 or -1), "value", "A vote is 1 or -1.");
        errors.AddIf(comment is { Length: > MaxCommentLength }, "comment", $"At most {MaxCommentLength} characters.");
        errors.AddIf(value == -1 && string.IsNullOrWhiteSpace(comment), "comment", "A -1 blocks the candidate: say why.");
        if (errors.Any)
        {
            return errors;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var streamId = await db.StreamIdOfAsync(candidateId, ct);
        if (streamId is null)
        {
            return new Outcome<VoteView>.NotFound($"No candidate '{candidateId}'.");
        }
        var now = clock.GetUtcNow();
        var vote = new Vote
        {
            CandidateId = candidateId,
            Voter = Actor.NameOf(voter),
            Value = value!.Value,
            Comment = comment?.Trim() ?? "",
            Role = Roles.Highest(voter.FindAll(ClaimTypes.Role).Select(c => c.Value))!,
            Source = source,
            CreatedAt = now,
        };
        db.Votes.Add(vote);
        db.Record(now, vote.Voter, "vote.cast", $"{(vote.Value > 0 ? "+1" : "-1")} from {vote.Voter}{(vote.Comment.Length == 0 ? "" : $": {vote.Comment}")}",
            candidateId: candidateId, streamId: streamId, data: new { vote.Value, vote.Comment, vote.Role, source });
        await db.SaveChangesAsync(ct);
        await decisions.RecomputeAsync(candidateId, vote.Voter, ct);
        return ToView(vote);
    }

    public async Task<IReadOnlyList<VoteView>> ListAsync(string candidateId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var votes = await db.Votes.AsNoTracking().Where(v => v.CandidateId == candidateId).OrderByDescending(v => v.Id).ToListAsync(ct);
        var latest = votes.GroupBy(v => v.Voter).Select(g => g.First().Id).ToHashSet();
        return votes.Select(v => ToView(v) with { Counts = latest.Contains(v.Id) }).ToList();
    }

    private static VoteView ToView(Vote vote) => new(vote.Id, vote.Voter, vote.Role, vote.Value, vote.Comment, vote.Source, vote.CreatedAt, true);
}

/// <summary>A vote; <c>counts</c> is false for one superseded by the voter's later vote.</summary>
public sealed record VoteView(long Id, string Voter, string Role, int Value, string Comment, VoteSource Source, DateTimeOffset Created, bool Counts);

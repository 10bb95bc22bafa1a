using ComposeGate.Data;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Web.Features.Candidates;

internal static class CandidateQueries
{
    /// <summary>The stream a candidate belongs to (for audit events), or null when there is no such candidate.</summary>
    public static Task<int?> StreamIdOfAsync(this AppDbContext db, string candidateId, CancellationToken ct) =>
        db.Candidates.Where(c => c.Id == candidateId).Select(c => (int?)c.StreamId).SingleOrDefaultAsync(ct);
}

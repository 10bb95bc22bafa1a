using System.Text.Json;
using ComposeGate.Data;

namespace ComposeGate.Audit;

/// <summary>Adds audit events to a context, so they are saved in the same transaction as the change.</summary>
public static class AuditTrail
{
    public static AuditEvent Record(this AppDbContext db, DateTimeOffset at, string actor, string kind, string summary,
        string? candidateId = null, int? streamId = null, object? data = null)
    {
        var audit = new AuditEvent
        {
            At = at,
            Actor = actor,
            Kind = kind,
            Summary = summary,
            CandidateId = candidateId,
            StreamId = streamId,
            Data = data is null ? null : JsonSerializer.Serialize(data, JsonSerializerOptions.Web),
        };
        db.AuditEvents.Add(audit);
        return audit;
    }
}

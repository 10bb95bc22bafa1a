using ComposeGate.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Security;

/// <summary>How many rows every table a request could write to holds: equal before and after means nothing was stored.</summary>
public static class StoredRows
{
    public static Task<string> CountAsync(ComposeGateFactory app) => app.WithDbAsync(async db => string.Join(", ",
        $"streams {await db.Streams.CountAsync()}",
        $"candidates {await db.Candidates.CountAsync()}",
        $"packages {await db.CandidatePackages.CountAsync()}",
        $"results {await db.Results.CountAsync()}",
        $"votes {await db.Votes.CountAsync()}",
        $"waivers {await db.Waivers.CountAsync()}",
        $"templates {await db.ChecklistTemplates.CountAsync()}",
        $"runs {await db.ChecklistRuns.CountAsync()}",
        $"item states {await db.ChecklistItemStates.CountAsync()}",
        $"policies {await db.Policies.CountAsync()}",
        $"hook receipts {await db.HookReceipts.CountAsync()}",
        $"promotions {await db.PromotionAttempts.CountAsync()}",
        $"tokens {await db.ApiTokens.CountAsync()}",
        $"audit events {await db.AuditEvents.CountAsync()}",
        $"webhook deliveries {await db.WebhookDeliveries.CountAsync()}",
        $"outbox {await db.BusOutbox.CountAsync()}"));
}

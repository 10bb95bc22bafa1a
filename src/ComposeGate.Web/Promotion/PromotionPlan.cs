using System.Text.Json;
using ComposeGate.Promotion;

namespace ComposeGate.Web.Promotion;

/// <summary>A stream's configured actions turned into the steps of a new attempt, settings kept with each (secrets left out).</summary>
public static class PromotionPlan
{
    public static List<PromotionStep> Steps(IReadOnlyList<PromotionActionSettings> actions) =>
        actions.Select((action, index) =>
        {
            var (kind, description, settings) = action switch
            {
                { Publish: { } publish } => ("Publish", PublishAction.Describe(publish), (object)publish),
                { Retag: { } retag } => ("Retag", RetagAction.Describe(retag), retag),
                { Webhook: { } webhook } => ("Webhook", WebhookAction.Describe(webhook), WebhookAction.Stored(webhook)),
                { Command: { } command } => ("Command", CommandAction.Describe(command), command),
                // Start-up validation refuses such settings; a step that says so fails visibly if one slips through.
                _ => ("Unknown", "An action with none of Publish, Retag, Webhook, Command", new object()),
            };
            return new PromotionStep
            {
                Position = index + 1,
                Action = kind,
                Description = description,
                Settings = JsonSerializer.Serialize(settings, settings.GetType(), JsonSerializerOptions.Web),
                Status = PromotionStatus.Pending,
            };
        }).ToList();
}

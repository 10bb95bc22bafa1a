using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Events;

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        // The sender's query: what is due and not finished.
        builder.HasIndex(d => new { d.DeliveredAt, d.GaveUpAt, d.NextAttemptAt });
        builder.HasIndex(d => new { d.StreamId, d.Id });
        builder.HasOne<Streams.ReleaseStream>().WithMany().HasForeignKey(d => d.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}

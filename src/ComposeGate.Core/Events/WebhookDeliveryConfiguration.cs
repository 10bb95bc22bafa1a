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

internal sealed class BusOutboxMessageConfiguration : IEntityTypeConfiguration<BusOutboxMessage>
{
    public void Configure(EntityTypeBuilder<BusOutboxMessage> builder)
    {
        builder.ToTable("BusOutbox");
        // The publisher's query: the oldest unpublished first.
        builder.HasIndex(m => new { m.PublishedAt, m.Id });
        builder.HasIndex(m => m.EventId);
        builder.HasOne<Streams.ReleaseStream>().WithMany().HasForeignKey(m => m.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}

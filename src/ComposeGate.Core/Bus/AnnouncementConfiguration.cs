using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Bus;

internal sealed class AnnouncementConfiguration : IEntityTypeConfiguration<Announcement>
{
    public void Configure(EntityTypeBuilder<Announcement> builder)
    {
        // A redelivered message finds its row: handled once, whatever the broker does.
        builder.HasIndex(a => new { a.StreamId, a.MessageId }).IsUnique();
        builder.HasIndex(a => new { a.StreamId, a.Id });
        builder.HasIndex(a => a.Outcome);
        builder.HasOne<Streams.ReleaseStream>().WithMany().HasForeignKey(a => a.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}

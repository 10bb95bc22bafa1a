using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Streams;

internal sealed class ReleaseStreamConfiguration : IEntityTypeConfiguration<ReleaseStream>
{
    public void Configure(EntityTypeBuilder<ReleaseStream> builder)
    {
        builder.ToTable("Streams");
        builder.Property(s => s.Name).HasMaxLength(63);
        builder.HasIndex(s => s.Name).IsUnique();
        builder.HasMany(s => s.Candidates).WithOne(c => c.Stream).HasForeignKey(c => c.StreamId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(s => s.Policies).WithOne().HasForeignKey(p => p.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SourcePollConfiguration : IEntityTypeConfiguration<SourcePoll>
{
    public void Configure(EntityTypeBuilder<SourcePoll> builder)
    {
        builder.HasKey(p => p.StreamId);
        builder.HasOne<ReleaseStream>().WithOne().HasForeignKey<SourcePoll>(p => p.StreamId).OnDelete(DeleteBehavior.Cascade);
    }
}

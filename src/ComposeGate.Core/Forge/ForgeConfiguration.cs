using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Forge;

internal sealed class MergeRequestLinkConfiguration : IEntityTypeConfiguration<MergeRequestLink>
{
    public void Configure(EntityTypeBuilder<MergeRequestLink> builder)
    {
        builder.ToTable("MergeRequests");
        builder.HasIndex(m => m.CandidateId).IsUnique();
        // Opening is idempotent: an existing MR is found by its source branch.
        builder.HasIndex(m => new { m.Provider, m.SourceBranch }).IsUnique();
        builder.HasIndex(m => m.State);
    }
}

internal sealed class IssueLinkConfiguration : IEntityTypeConfiguration<IssueLink>
{
    public void Configure(EntityTypeBuilder<IssueLink> builder)
    {
        builder.ToTable("Issues");
        builder.HasIndex(i => i.CandidateId);
        builder.HasIndex(i => new { i.StreamId, i.CreatedAt });
    }
}

internal sealed class ForgeNoteConfiguration : IEntityTypeConfiguration<ForgeNote>
{
    public void Configure(EntityTypeBuilder<ForgeNote> builder)
    {
        builder.HasIndex(n => new { n.MergeRequestId, n.Id });
        builder.HasOne<MergeRequestLink>().WithMany().HasForeignKey(n => n.MergeRequestId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class HookReceiptConfiguration : IEntityTypeConfiguration<HookReceipt>
{
    public void Configure(EntityTypeBuilder<HookReceipt> builder)
    {
        builder.HasKey(r => r.Key);
        builder.HasIndex(r => r.ReceivedAt);
    }
}

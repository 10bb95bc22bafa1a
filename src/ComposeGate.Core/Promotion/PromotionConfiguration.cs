using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Promotion;

internal sealed class PromotionAttemptConfiguration : IEntityTypeConfiguration<PromotionAttempt>
{
    public void Configure(EntityTypeBuilder<PromotionAttempt> builder)
    {
        builder.HasIndex(a => new { a.CandidateId, a.Number }).IsUnique();
        // Unfinished work is found by status after a restart.
        builder.HasIndex(a => a.Status);
        builder.HasMany(a => a.Steps).WithOne().HasForeignKey(s => s.AttemptId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PromotionStepConfiguration : IEntityTypeConfiguration<PromotionStep>
{
    public void Configure(EntityTypeBuilder<PromotionStep> builder) =>
        builder.HasIndex(s => new { s.AttemptId, s.Position }).IsUnique();
}

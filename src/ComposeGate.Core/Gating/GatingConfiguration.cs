using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Gating;

internal sealed class ResultConfiguration : IEntityTypeConfiguration<Result>
{
    public void Configure(EntityTypeBuilder<Result> builder)
    {
        builder.Property(r => r.Testcase).HasMaxLength(200);
        // The latest result per (testcase, scenario) of a candidate is the one that counts.
        builder.HasIndex(r => new { r.CandidateId, r.Testcase, r.Scenario, r.Id });
        // ResultsDB-style queries across candidates: by testcase, by time.
        builder.HasIndex(r => new { r.Testcase, r.Id });
        builder.HasIndex(r => r.CreatedAt);
    }
}

internal sealed class VoteConfiguration : IEntityTypeConfiguration<Vote>
{
    public void Configure(EntityTypeBuilder<Vote> builder) =>
        builder.HasIndex(v => new { v.CandidateId, v.Voter, v.Id });
}

internal sealed class WaiverConfiguration : IEntityTypeConfiguration<Waiver>
{
    public void Configure(EntityTypeBuilder<Waiver> builder) =>
        builder.HasIndex(w => new { w.CandidateId, w.Testcase, w.Scenario });
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Candidates;

internal sealed class CandidateConfiguration : IEntityTypeConfiguration<Candidate>
{
    public void Configure(EntityTypeBuilder<Candidate> builder)
    {
        builder.Property(c => c.Id).HasMaxLength(200);
        // Candidates per stream by time (lists, "newest candidate", "last promoted").
        builder.HasIndex(c => new { c.StreamId, c.CreatedAt });
        builder.HasIndex(c => new { c.Status, c.CreatedAt });
        builder.HasIndex(c => c.CreatedAt);
        builder.HasIndex(c => c.Digest);

        builder.HasMany(c => c.Packages).WithOne().HasForeignKey(p => p.CandidateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Results).WithOne().HasForeignKey(r => r.CandidateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Votes).WithOne().HasForeignKey(v => v.CandidateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Waivers).WithOne().HasForeignKey(w => w.CandidateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.ChecklistRuns).WithOne().HasForeignKey(r => r.CandidateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(c => c.MergeRequest).WithOne().HasForeignKey<Forge.MergeRequestLink>(m => m.CandidateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Issues).WithOne().HasForeignKey(i => i.CandidateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Promotions).WithOne().HasForeignKey(p => p.CandidateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidatePackageConfiguration : IEntityTypeConfiguration<CandidatePackage>
{
    public void Configure(EntityTypeBuilder<CandidatePackage> builder)
    {
        builder.HasIndex(p => new { p.CandidateId, p.Name });
        // Package search: "which candidates contain foo".
        builder.HasIndex(p => p.Name);
        builder.HasMany(p => p.Rpms).WithOne().HasForeignKey(r => r.PackageId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CandidateRpmConfiguration : IEntityTypeConfiguration<CandidateRpm>
{
    public void Configure(EntityTypeBuilder<CandidateRpm> builder)
    {
        builder.HasIndex(r => new { r.CandidateId, r.Name });
        builder.HasIndex(r => r.Name);
        builder.HasIndex(r => r.PackageId);
        builder.HasOne<Candidate>().WithMany().HasForeignKey(r => r.CandidateId).OnDelete(DeleteBehavior.Cascade);
    }
}

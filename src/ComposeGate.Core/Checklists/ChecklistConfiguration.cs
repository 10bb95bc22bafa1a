using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Checklists;

internal sealed class ChecklistTemplateConfiguration : IEntityTypeConfiguration<ChecklistTemplate>
{
    public void Configure(EntityTypeBuilder<ChecklistTemplate> builder)
    {
        builder.HasIndex(t => new { t.Name, t.Version }).IsUnique();
        builder.HasMany(t => t.Items).WithOne().HasForeignKey(i => i.TemplateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChecklistItemConfiguration : IEntityTypeConfiguration<ChecklistItem>
{
    public void Configure(EntityTypeBuilder<ChecklistItem> builder)
    {
        builder.HasIndex(i => new { i.TemplateId, i.Key }).IsUnique();
        builder.HasIndex(i => new { i.TemplateId, i.Position });
    }
}

internal sealed class ChecklistRunConfiguration : IEntityTypeConfiguration<ChecklistRun>
{
    public void Configure(EntityTypeBuilder<ChecklistRun> builder)
    {
        builder.HasIndex(r => r.CandidateId);
        builder.HasOne(r => r.Template).WithMany().HasForeignKey(r => r.TemplateId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(r => r.ItemStates).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChecklistItemStateConfiguration : IEntityTypeConfiguration<ChecklistItemState>
{
    public void Configure(EntityTypeBuilder<ChecklistItemState> builder) =>
        builder.HasIndex(s => new { s.RunId, s.ItemKey, s.Id });
}

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Access;

internal sealed class ApplicationUserConfiguration : IEntityTypeConfiguration<ApplicationUser>
{
    public void Configure(EntityTypeBuilder<ApplicationUser> builder) =>
        // Forge votes and commands are credited by this name, so two accounts may not claim it.
        builder.HasIndex(u => u.NormalizedForgeUsername).IsUnique().HasFilter("\"NormalizedForgeUsername\" IS NOT NULL");
}

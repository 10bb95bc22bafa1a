using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ComposeGate.Access;

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.HasIndex(t => t.Hash).IsUnique();
        // A name identifies a bot account, so two live tokens may not share it; revoked ones keep theirs.
        builder.HasIndex(t => t.Name).IsUnique().HasFilter("\"RevokedAt\" IS NULL");
        builder.Property(t => t.Testcases).HasConversion(
            globs => string.Join('\n', globs),
            text => text.Length == 0 ? new List<string>() : text.Split('\n', StringSplitOptions.None).ToList(),
            new ValueComparer<List<string>>(
                (a, b) => a!.SequenceEqual(b!),
                list => list.Aggregate(0, (hash, glob) => HashCode.Combine(hash, glob.GetHashCode(StringComparison.Ordinal))),
                list => list.ToList()));
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

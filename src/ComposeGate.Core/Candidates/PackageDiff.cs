using ComposeGate.Candidates.Rpm;

namespace ComposeGate.Candidates;

/// <summary>A package as a diff sees it: a name and the EVR that counts for it.</summary>
public readonly record struct PackageVersion(string Name, Evr Evr);

/// <summary>How a package changed between a base candidate and a candidate.</summary>
public enum ChangeKind
{
    Added,
    Removed,
    Upgraded,
    Downgraded,
    Unchanged,
}

/// <summary>One line of a diff; <see cref="From"/> is null for added packages, <see cref="To"/> for removed ones.</summary>
public sealed record PackageChange(string Name, ChangeKind Kind, Evr? From, Evr? To);

/// <summary>
/// The package diff between two manifests, ordered exactly as rpm orders versions. When a name has several
/// EVRs in one manifest the highest counts; two EVRs rpm compares as equal are unchanged.
/// </summary>
public sealed class PackageDiff
{
    private PackageDiff(IReadOnlyList<PackageChange> changes) => Changes = changes;

    /// <summary>Every package of either side, by name (ordinal).</summary>
    public IReadOnlyList<PackageChange> Changes { get; }

    public IEnumerable<PackageChange> OfKind(ChangeKind kind) => Changes.Where(c => c.Kind == kind);

    public int Count(ChangeKind kind) => Changes.Count(c => c.Kind == kind);

    public static PackageDiff Compute(IEnumerable<PackageVersion> baseline, IEnumerable<PackageVersion> candidate)
    {
        var before = Highest(baseline);
        var after = Highest(candidate);
        var changes = new List<PackageChange>(Math.Max(before.Count, after.Count));
        foreach (var (name, to) in after)
        {
            if (!before.TryGetValue(name, out var from))
            {
                changes.Add(new PackageChange(name, ChangeKind.Added, null, to));
                continue;
            }
            var order = to.CompareTo(from);
            changes.Add(new PackageChange(name, order > 0 ? ChangeKind.Upgraded : order < 0 ? ChangeKind.Downgraded : ChangeKind.Unchanged, from, to));
        }
        foreach (var (name, from) in before)
        {
            if (!after.ContainsKey(name))
            {
                changes.Add(new PackageChange(name, ChangeKind.Removed, from, null));
            }
        }
        changes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new PackageDiff(changes);
    }

    private static Dictionary<string, Evr> Highest(IEnumerable<PackageVersion> packages)
    {
        var highest = new Dictionary<string, Evr>(StringComparer.Ordinal);
        foreach (var package in packages)
        {
            if (!highest.TryGetValue(package.Name, out var current) || package.Evr.CompareTo(current) > 0)
            {
                highest[package.Name] = package.Evr;
            }
        }
        return highest;
    }
}

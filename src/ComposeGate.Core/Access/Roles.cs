namespace ComposeGate.Access;

/// <summary>
/// The roles, from least to most trusted. Each role may do everything the roles before it may, so
/// "Reporter+" means Reporter, Tester, ReleaseEngineer or Admin.
/// </summary>
public static class Roles
{
    public const string Viewer = "Viewer";
    public const string Reporter = "Reporter";
    public const string Tester = "Tester";
    public const string ReleaseEngineer = "ReleaseEngineer";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Reporter, Tester, ReleaseEngineer, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    /// <summary>The roles that satisfy a requirement of at least <paramref name="minimum"/>.</summary>
    public static IReadOnlyList<string> AtLeast(string minimum)
    {
        var index = IndexOf(minimum);
        return All.Skip(index).ToArray();
    }

    /// <summary>The most trusted of the given roles, or null when none is known.</summary>
    public static string? Highest(IEnumerable<string> roles) =>
        roles.Where(IsKnown).OrderByDescending(IndexOf).FirstOrDefault();

    public static bool Satisfies(string role, string minimum) => IsKnown(role) && IndexOf(role) >= IndexOf(minimum);

    /// <summary>The less trusted of two known roles.</summary>
    public static string Lesser(string role, string other) => IndexOf(role) <= IndexOf(other) ? role : other;

    private static int IndexOf(string role)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i] == role)
            {
                return i;
            }
        }
        throw new ArgumentException($"Unknown role '{role}'.", nameof(role));
    }
}

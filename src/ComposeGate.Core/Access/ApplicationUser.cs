using Microsoft.AspNetCore.Identity;

namespace ComposeGate.Access;

/// <summary>A person who signs in to ComposeGate. Accounts are created by admins; registration is closed.</summary>
public sealed class ApplicationUser : IdentityUser
{
    private string? forgeUsername;

    public string? DisplayName { get; set; }

    /// <summary>
    /// The user's name on the forge (GitLab username), so their votes and commands on MRs map to them. It belongs
    /// to one account only, ignoring case, as GitLab's own user names do.
    /// </summary>
    public string? ForgeUsername
    {
        get => forgeUsername;
        set
        {
            forgeUsername = value;
            NormalizedForgeUsername = NormalizeForgeUsername(value);
        }
    }

    /// <summary><see cref="ForgeUsername"/> in upper case, like Identity's normalised user name: what uniqueness and look-ups compare.</summary>
    public string? NormalizedForgeUsername { get; private set; }

    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Set when an admin disables the account: no sign-in, no API token works.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    public static string? NormalizeForgeUsername(string? name) => name?.ToUpperInvariant();
}

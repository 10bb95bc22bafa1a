using Microsoft.AspNetCore.Identity;

namespace ComposeGate.Access;

/// <summary>A person who signs in to ComposeGate. Accounts are created by admins; registration is closed.</summary>
public sealed class ApplicationUser : IdentityUser
{
    public string? DisplayName { get; set; }
    /// <summary>The user's name on the forge (GitLab username), so their votes and commands on MRs map to them.</summary>
    public string? ForgeUsername { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Set when an admin disables the account: no sign-in, no API token works.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

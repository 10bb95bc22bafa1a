namespace ComposeGate.Gating;

/// <summary>A person's +1 or −1 on a candidate; their latest vote is the one that counts.</summary>
public sealed class Vote
{
    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public required string Voter { get; set; }
    /// <summary>+1 or −1.</summary>
    public int Value { get; set; }
    public string Comment { get; set; } = "";
    /// <summary>The voter's most trusted role when they voted: quorum rules count votes by role.</summary>
    public required string Role { get; set; }
    /// <summary>Where the vote was cast: the UI, the API, or the merge request on the forge.</summary>
    public VoteSource Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum VoteSource
{
    Ui,
    Api,
    Forge,
}

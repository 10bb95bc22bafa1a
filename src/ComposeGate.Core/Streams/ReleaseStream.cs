namespace ComposeGate.Streams;

/// <summary>
/// A stream: a line of candidates with one policy, one compose-repo target and one set of promotion actions.
/// (Named ReleaseStream in code only because System.IO.Stream is everywhere.)
/// </summary>
public sealed class ReleaseStream
{
    /// <summary>Stream names appear in URLs, branch names and file paths, so they are kept to this shape.</summary>
    public const string NamePattern = "^[a-z0-9][a-z0-9._-]{0,62}$";

    public int Id { get; set; }
    public required string Name { get; set; }
    public StreamKind Kind { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    public List<Candidates.Candidate> Candidates { get; set; } = [];
    public List<Policies.Policy> Policies { get; set; } = [];
}

/// <summary>What a stream's candidates are: OS composes (productmd) or container images (by digest).</summary>
public enum StreamKind
{
    Compose,
    Image,
}

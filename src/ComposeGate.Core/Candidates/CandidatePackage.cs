namespace ComposeGate.Candidates;

/// <summary>A source package of a candidate's manifest (a source RPM), with the binary RPMs built from it.</summary>
public sealed class CandidatePackage
{
    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public required string Name { get; set; }
    public int Epoch { get; set; }
    public required string Version { get; set; }
    public required string Release { get; set; }

    public List<CandidateRpm> Rpms { get; set; } = [];
}

/// <summary>One RPM of a compose manifest as productmd lists it: per variant, arch and category.</summary>
public sealed class CandidateRpm
{
    public long Id { get; set; }
    public required string CandidateId { get; set; }
    public long PackageId { get; set; }
    public required string Name { get; set; }
    public int Epoch { get; set; }
    public required string Version { get; set; }
    public required string Release { get; set; }
    public required string Arch { get; set; }
    public required string Variant { get; set; }
    /// <summary>The productmd architecture the RPM is listed under (a noarch RPM appears under each).</summary>
    public required string ComposeArch { get; set; }
    public RpmCategory Category { get; set; }
    /// <summary>Signing key id, or null for an unsigned RPM.</summary>
    public string? SigKey { get; set; }
    public required string Path { get; set; }
}

/// <summary>The productmd rpms.json category of an RPM.</summary>
public enum RpmCategory
{
    Binary,
    Debug,
    Source,
}

using ComposeGate.Candidates.Rpm;

namespace ComposeGate.Candidates.Productmd;

/// <summary>The facts of productmd's composeinfo.json that ComposeGate keeps.</summary>
public sealed record ComposeInfo(
    string Id,
    string Date,
    string Type,
    int Respin,
    string? Label,
    string ReleaseName,
    string ReleaseShort,
    string ReleaseVersion,
    IReadOnlyList<string> Variants);

/// <summary>One entry of rpms.json: an RPM as listed under a variant and a compose arch, with its source RPM.</summary>
public sealed record ManifestRpm(string Variant, string ComposeArch, Nevra Source, Nevra Rpm, string Path, string? SigKey, RpmCategory Category);

/// <summary>A compose's metadata as read from composeinfo.json and rpms.json.</summary>
public sealed record ComposeMetadata(ComposeInfo Info, IReadOnlyList<ManifestRpm> Rpms);

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ComposeGate.Candidates.Demo;

/// <summary>What to generate: the release, the compose identity, the size and the seed.</summary>
public sealed record SyntheticComposeOptions
{
    public string ReleaseShort { get; init; } = "CentOS-Stream";
    /// <summary>productmd release version, e.g. <c>10</c>, <c>9.4.0</c> or <c>Rawhide</c>.</summary>
    public string ReleaseVersion { get; init; } = "10";
    public string ReleaseName { get; init; } = "CentOS Stream";
    /// <summary>productmd release type; anything but <c>ga</c> appears in the compose id (<c>RHEL-9.4.0-updates-…</c>).</summary>
    public string ReleaseType { get; init; } = "ga";
    /// <summary>One of test, ci, nightly, production, development.</summary>
    public string ComposeType { get; init; } = "production";
    /// <summary>Compose date, <c>yyyyMMdd</c>.</summary>
    public string Date { get; init; } = "20261120";
    public int Respin { get; init; }
    /// <summary>Optional compose label such as <c>RC-1.0</c> or <c>Beta-1.2</c>.</summary>
    public string? Label { get; init; }
    /// <summary>Written as <c>compose.final</c>, only when a label is set.</summary>
    public bool Final { get; init; }
    public int SourcePackageCount { get; init; } = 10_000;
    public IReadOnlyList<string> Variants { get; init; } = ["BaseOS", "AppStream", "CRB"];
    public IReadOnlyList<string> Arches { get; init; } = ["x86_64", "aarch64", "ppc64le", "s390x"];
    /// <summary>Dist tag of every release, e.g. <c>.el10</c>; derived from the release when null.</summary>
    public string? DistTag { get; init; }
    public int Seed { get; init; } = 1;
}

/// <summary>How to derive the following compose from a previous one.</summary>
public sealed record NextOptions
{
    /// <summary>True: same date, respin + 1. False: <see cref="Date"/> (default: the next day), respin 0.</summary>
    public bool Respin { get; init; }
    /// <summary>Date of the new compose, <c>yyyyMMdd</c>; the same date as before means a respin.</summary>
    public string? Date { get; init; }
    /// <summary>Compose type of the new compose; the previous one's when null.</summary>
    public string? ComposeType { get; init; }
    public int Upgraded { get; init; } = 40;
    public int Downgraded { get; init; } = 4;
    public int Added { get; init; } = 10;
    public int Removed { get; init; } = 5;
    /// <summary>Source packages whose EVR string changes to one rpm compares as equal (<c>1.01</c> → <c>1.1</c>).</summary>
    public int RpmEqual { get; init; } = 4;
    /// <summary>Seed of the new compose; derived from the previous seed when null.</summary>
    public int? Seed { get; init; }
}

/// <summary>An epoch, version and release, as rpm compares them.</summary>
public sealed record SyntheticEvr(int Epoch, string Version, string Release)
{
    /// <summary><c>epoch:version-release</c>, the epoch always present.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Epoch}:{Version}-{Release}");
}

/// <summary>One binary RPM of a source package; noarch ones are listed under every arch of their source package.</summary>
public sealed record SyntheticBinaryPackage(string Name, string Variant, bool Noarch, bool Debug)
{
    /// <summary>productmd rpms.json category: <c>binary</c> or <c>debug</c>.</summary>
    public string Category => Debug ? "debug" : "binary";
}

/// <summary>A source package with its binary RPMs, the variants they land in and the arches they are built for.</summary>
public sealed record SyntheticSourcePackage(
    string Name,
    SyntheticEvr Evr,
    string? Sigkey,
    IReadOnlyList<string> Variants,
    IReadOnlyList<string> Arches,
    IReadOnlyList<SyntheticBinaryPackage> Binaries)
{
    public string Nvr => $"{Name}-{Evr.Version}-{Evr.Release}";

    /// <summary>The rpms.json source key, <c>name-epoch:version-release.src</c>.</summary>
    public string SrpmNevra => string.Create(CultureInfo.InvariantCulture, $"{Name}-{Evr.Epoch}:{Evr.Version}-{Evr.Release}.src");

    /// <summary>(variant, arch, srpm, rpm) entries this package contributes to rpms.json, the srpm entries included.</summary>
    public int RpmEntryCount
    {
        get
        {
            var total = 0;
            foreach (var variant in Variants)
            {
                var inVariant = 0;
                foreach (var binary in Binaries)
                {
                    if (binary.Variant == variant)
                    {
                        inVariant++;
                    }
                }
                total += Arches.Count * (1 + inVariant);
            }
            return total;
        }
    }
}

/// <summary>What a diff of two composes must say about one source package name.</summary>
public enum SyntheticVerdict
{
    Unchanged,
    Added,
    Removed,
    Upgraded,
    Downgraded,
}

/// <summary>How a source package was changed by <see cref="SyntheticCompose.Next"/>.</summary>
public enum SyntheticChangeKind
{
    None,
    Added,
    Removed,
    // Upgrades.
    /// <summary><c>3.el10</c> → <c>4.el10</c>.</summary>
    ReleaseBump,
    /// <summary>Last number of the leading numeric part + 1, the tail dropped: <c>4.3.30</c> → <c>4.3.31</c>, <c>9.9p1</c> → <c>9.10</c>.</summary>
    VersionBump,
    /// <summary><c>1.0~rc1</c> → <c>1.0</c>.</summary>
    TildeToFinal,
    /// <summary><c>1.0^20261101git3f2a1bc</c> → <c>1.0^20261118git9b1c0de</c>.</summary>
    CaretSnapshotBump,
    /// <summary>Epoch + 1 with a lower version: <c>1:4.2-3</c> → <c>2:3.2-1</c>.</summary>
    EpochBump,
    /// <summary>A z-stream style release suffix: <c>5.el10</c> → <c>5.el10_1</c>.</summary>
    ReleaseSuffix,
    // Downgrades.
    /// <summary>Same epoch, a lower version: <c>4.3.30</c> → <c>4.3.29</c>.</summary>
    VersionLowered,
    /// <summary><c>5.el10</c> → <c>4.el10</c>.</summary>
    ReleaseLowered,
    /// <summary><c>1.0</c> → <c>1.0~rc1</c>.</summary>
    FinalToPreRelease,
    /// <summary>Epoch - 1 with a higher version (the epoch wins): <c>2:1.5-1</c> → <c>1:1.6-1</c>.</summary>
    EpochLowered,
    // Different strings, equal for rpm.
    /// <summary><c>1.01</c> → <c>1.1</c> (or a zero added when there is none).</summary>
    LeadingZeroRewrite,
    /// <summary><c>2_0</c> → <c>2.0</c>, <c>1.2+git</c> → <c>1.2.git</c>, <c>2.0</c> → <c>2_0</c>.</summary>
    SeparatorRewrite,
}

/// <summary>One source package that <see cref="SyntheticCompose.Next"/> touched, with its EVR before and after.</summary>
public sealed record SyntheticPackageChange(
    string Name,
    SyntheticVerdict Verdict,
    SyntheticChangeKind Kind,
    SyntheticEvr? Before,
    SyntheticEvr? After);

/// <summary>
/// A deterministic, realistic productmd compose (CentOS Stream / Fedora style) for demo data, tests and benchmarks:
/// about six rpms.json entries per source package (10,000 source packages ≈ 60,000 entries), tricky names and EVRs,
/// and <see cref="Next"/> composes whose expected diff verdicts are known by construction.
/// </summary>
/// <remarks>
/// An rpms.json entry is one (variant, arch, srpm, rpm) quadruple; the srpm is listed under every arch of its package.
/// To land near six entries per source package with four arches, most packages are built for one arch only
/// (an ExclusiveArch world); noarch binaries are listed under every arch their source package is built for.
/// </remarks>
public sealed class SyntheticCompose
{
    public const string DefaultStatus = "FINISHED";

    private static readonly string[] ComposeTypeNames = ["test", "ci", "nightly", "production", "development"];
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 4,
        NewLine = "\n",
        // productmd writes '+' and '^' as they are; the default encoder would write \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private const int FlushThreshold = 64 * 1024;
    private static readonly JsonEncodedText CategoryProperty = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText PathProperty = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText SigkeyProperty = JsonEncodedText.Encode("sigkey");
    private static readonly JsonEncodedText SourceCategory = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText BinaryCategory = JsonEncodedText.Encode("binary");
    private static readonly JsonEncodedText DebugCategory = JsonEncodedText.Encode("debug");

    private readonly SyntheticSourcePackage[] _packages;
    private readonly Dictionary<string, SyntheticVerdict> _verdicts;
    private readonly SyntheticPackageChange[] _changes;
    private readonly string[] _variants;
    private readonly string[] _arches;
    private readonly string[] _signingKeys;
    private readonly int _generation;
    private int[]? _writeOrder;

    private SyntheticCompose(
        SyntheticComposeOptions options,
        string distTag,
        string[] signingKeys,
        SyntheticSourcePackage[] packages,
        int generation,
        string? previousComposeId,
        Dictionary<string, SyntheticVerdict> verdicts,
        SyntheticPackageChange[] changes)
    {
        ReleaseShort = options.ReleaseShort;
        ReleaseVersion = options.ReleaseVersion;
        ReleaseName = options.ReleaseName;
        ReleaseType = options.ReleaseType;
        ComposeType = options.ComposeType;
        Date = options.Date;
        Respin = options.Respin;
        Label = options.Label;
        Final = options.Final;
        Seed = options.Seed;
        _variants = [.. options.Variants];
        _arches = [.. options.Arches];
        DistTag = distTag;
        _signingKeys = signingKeys;
        _packages = packages;
        _generation = generation;
        PreviousComposeId = previousComposeId;
        _verdicts = verdicts;
        _changes = changes;
        ComposeId = CreateComposeId(ReleaseShort, ReleaseVersion, Date, ComposeType, Respin, ReleaseType);
        var entries = 0;
        foreach (var package in packages)
        {
            entries += package.RpmEntryCount;
        }
        RpmEntryCount = entries;
    }

    public string ComposeId { get; }
    public string ReleaseShort { get; }
    public string ReleaseVersion { get; }
    public string ReleaseName { get; }
    public string ReleaseType { get; }
    public string ComposeType { get; }
    public string Date { get; }
    public int Respin { get; }
    public string? Label { get; }
    public bool Final { get; }
    public int Seed { get; }
    public string DistTag { get; }
    public IReadOnlyList<string> Variants => _variants;
    public IReadOnlyList<string> Arches => _arches;
    /// <summary>The 8-hex key ids the packages are signed with (a few packages are unsigned).</summary>
    public IReadOnlyList<string> SigningKeys => _signingKeys;
    /// <summary>Source packages, ordered by name (ordinal).</summary>
    public IReadOnlyList<SyntheticSourcePackage> Packages => _packages;
    /// <summary>Exact number of (variant, arch, srpm, rpm) entries in rpms.json, srpm entries included.</summary>
    public int RpmEntryCount { get; }
    /// <summary>The compose this one was derived from by <see cref="Next"/>; null for a generated one.</summary>
    public string? PreviousComposeId { get; }
    /// <summary>
    /// Expected diff verdict against <see cref="PreviousComposeId"/> for every source package name of either compose;
    /// empty for a generated compose.
    /// </summary>
    public IReadOnlyDictionary<string, SyntheticVerdict> ExpectedVerdicts => _verdicts;
    /// <summary>Every source package <see cref="Next"/> touched (rpm-equal rewrites included), ordered by name.</summary>
    public IReadOnlyList<SyntheticPackageChange> Changes => _changes;
    /// <summary>pungi's default latest link: <c>latest-CentOS-Stream-10</c>, <c>latest-RHEL-9.4</c>.</summary>
    public string DefaultLatestLinkName => DefaultLatestLink(ReleaseShort, ReleaseVersion);

    /// <summary>Generates a compose; the same options give the same compose, byte for byte once written.</summary>
    public static SyntheticCompose Generate(SyntheticComposeOptions? options = null)
    {
        options ??= new SyntheticComposeOptions();
        Validate(options);
        var rng = new Random(options.Seed);
        var keys = new string[2];
        keys[0] = RandomHex(rng, 8);
        do
        {
            keys[1] = RandomHex(rng, 8);
        }
        while (keys[1] == keys[0]);
        var distTag = options.DistTag ?? DefaultDistTag(options.ReleaseShort, options.ReleaseVersion);
        var builder = new PackageBuilder(rng, [.. options.Variants], [.. options.Arches], distTag, keys, ParseDate(options.Date));
        var core = (string[])Words.Core.Clone();
        Shuffle(rng, core);
        var packages = new SyntheticSourcePackage[options.SourcePackageCount];
        for (var i = 0; i < packages.Length; i++)
        {
            var name = i < core.Length && builder.IsFree(core[i]) ? core[i] : builder.NewName();
            packages[i] = builder.Build(name);
        }
        Array.Sort(packages, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new SyntheticCompose(options, distTag, keys, packages, 0, null, new Dictionary<string, SyntheticVerdict>(StringComparer.Ordinal), []);
    }

    /// <summary>productmd's compose id: <c>CentOS-Stream-10-20261120.0</c>, <c>Fedora-Rawhide-20261120.n.0</c>.</summary>
    public static string CreateComposeId(string releaseShort, string releaseVersion, string date, string composeType, int respin, string releaseType = "ga")
    {
        var typeSuffix = composeType switch
        {
            "production" => "",
            "nightly" => ".n",
            "test" => ".t",
            "ci" => ".ci",
            "development" => ".d",
            _ => throw new ArgumentException($"Unknown compose type '{composeType}'.", nameof(composeType)),
        };
        var releaseSuffix = releaseType == "ga" ? "" : "-" + releaseType;
        return string.Create(CultureInfo.InvariantCulture, $"{releaseShort}-{releaseVersion}{releaseSuffix}-{date}{typeSuffix}.{respin}");
    }

    /// <summary>
    /// The next compose: the next date (or a respin) with exactly the requested numbers of upgraded, downgraded, added,
    /// removed and rpm-equal source packages; <see cref="ExpectedVerdicts"/> of the result says what a diff must find.
    /// </summary>
    public SyntheticCompose Next(NextOptions? options = null)
    {
        options ??= new NextOptions();
        if (options.Upgraded < 0 || options.Downgraded < 0 || options.Added < 0 || options.Removed < 0 || options.RpmEqual < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Change counts must not be negative.");
        }
        var touched = (long)options.Upgraded + options.Downgraded + options.Removed + options.RpmEqual;
        if (touched > _packages.Length)
        {
            throw new ArgumentException(
                $"{touched} packages to change or remove, but the compose has {_packages.Length}.", nameof(options));
        }

        string date;
        int respin;
        if (options.Respin)
        {
            if (options.Date is not null && options.Date != Date)
            {
                throw new ArgumentException("A respin keeps the date.", nameof(options));
            }
            date = Date;
            respin = Respin + 1;
        }
        else
        {
            date = options.Date ?? FormatDate(ParseDate(Date).AddDays(1));
            respin = date == Date ? Respin + 1 : 0;
        }
        var nextOptions = new SyntheticComposeOptions
        {
            ReleaseShort = ReleaseShort,
            ReleaseVersion = ReleaseVersion,
            ReleaseName = ReleaseName,
            ReleaseType = ReleaseType,
            ComposeType = options.ComposeType ?? ComposeType,
            Date = date,
            Respin = respin,
            Label = Label,
            Final = Final,
            SourcePackageCount = 0,
            Variants = _variants,
            Arches = _arches,
            DistTag = DistTag,
            Seed = options.Seed ?? DeriveSeed(Seed, _generation + 1),
        };
        Validate(nextOptions);
        var rng = new Random(nextOptions.Seed);
        var newDate = ParseDate(date);

        // Pick distinct packages in a shuffled order; each kind scans with its own cursor for eligible ones.
        var order = new int[_packages.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Shuffle(rng, order);
        var used = new bool[_packages.Length];
        var cursors = new int[Enum.GetValues<SyntheticChangeKind>().Length];
        var plan = new List<(int Index, SyntheticVerdict Verdict, SyntheticChangeKind Kind)>((int)touched);

        void PlanGroup(SyntheticVerdict verdict, SyntheticChangeKind[] kinds, int count)
        {
            for (var n = 0; n < count; n++)
            {
                var found = false;
                for (var k = 0; k < kinds.Length && !found; k++)
                {
                    var kind = kinds[(n + k) % kinds.Length];
                    ref var cursor = ref cursors[(int)kind];
                    while (cursor < order.Length)
                    {
                        var index = order[cursor];
                        cursor++;
                        if (!used[index] && IsEligible(_packages[index].Evr, kind))
                        {
                            used[index] = true;
                            plan.Add((index, verdict, kind));
                            found = true;
                            break;
                        }
                    }
                }
                if (!found)
                {
                    throw new InvalidOperationException($"Not enough packages eligible for {count} {verdict} changes.");
                }
            }
        }

        PlanGroup(SyntheticVerdict.Removed, [SyntheticChangeKind.Removed], options.Removed);
        PlanGroup(SyntheticVerdict.Upgraded, UpgradeKinds, options.Upgraded);
        PlanGroup(SyntheticVerdict.Downgraded, DowngradeKinds, options.Downgraded);
        PlanGroup(SyntheticVerdict.Unchanged, EqualKinds, options.RpmEqual);

        var replaced = new SyntheticSourcePackage?[_packages.Length];
        var removed = new bool[_packages.Length];
        var verdicts = new Dictionary<string, SyntheticVerdict>(_packages.Length + options.Added, StringComparer.Ordinal);
        foreach (var package in _packages)
        {
            verdicts[package.Name] = SyntheticVerdict.Unchanged;
        }
        var changes = new List<SyntheticPackageChange>(plan.Count + options.Added);
        foreach (var (index, verdict, kind) in plan)
        {
            var old = _packages[index];
            verdicts[old.Name] = verdict;
            if (kind == SyntheticChangeKind.Removed)
            {
                removed[index] = true;
                changes.Add(new SyntheticPackageChange(old.Name, verdict, kind, old.Evr, null));
                continue;
            }
            var evr = Transform(old.Evr, kind, rng, DistTag);
            CheckDirection(old.Name, old.Evr, evr, verdict, kind);
            replaced[index] = old with { Evr = evr };
            changes.Add(new SyntheticPackageChange(old.Name, verdict, kind, old.Evr, evr));
        }

        var builder = new PackageBuilder(rng, _variants, _arches, DistTag, _signingKeys, newDate);
        foreach (var package in _packages)
        {
            builder.Reserve(package);
        }
        var packages = new List<SyntheticSourcePackage>(_packages.Length - options.Removed + options.Added);
        for (var i = 0; i < _packages.Length; i++)
        {
            if (!removed[i])
            {
                packages.Add(replaced[i] ?? _packages[i]);
            }
        }
        for (var n = 0; n < options.Added; n++)
        {
            var package = builder.Build(builder.NewName());
            packages.Add(package);
            verdicts[package.Name] = SyntheticVerdict.Added;
            changes.Add(new SyntheticPackageChange(package.Name, SyntheticVerdict.Added, SyntheticChangeKind.Added, null, package.Evr));
        }
        var sorted = packages.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        changes.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new SyntheticCompose(nextOptions, DistTag, _signingKeys, sorted, _generation + 1, ComposeId, verdicts, [.. changes]);
    }

    /// <summary>
    /// Writes <c>&lt;topDir&gt;/&lt;COMPOSE_ID&gt;/</c> with COMPOSE_ID, compose/metadata/composeinfo.json,
    /// compose/metadata/rpms.json and, last, STATUS (<c>FINISHED</c>, <c>DOOMED</c>, …). Returns the compose directory.
    /// </summary>
    public string WriteTo(string topDir, string status = DefaultStatus)
    {
        ArgumentException.ThrowIfNullOrEmpty(topDir);
        if (string.IsNullOrEmpty(status) || status.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("STATUS is one word, e.g. FINISHED or DOOMED.", nameof(status));
        }
        var composeDir = Path.Combine(topDir, ComposeId);
        var metadataDir = Path.Combine(composeDir, "compose", "metadata");
        Directory.CreateDirectory(metadataDir);
        File.WriteAllText(Path.Combine(composeDir, "COMPOSE_ID"), ComposeId);
        using (var stream = CreateFile(Path.Combine(metadataDir, "composeinfo.json")))
        {
            WriteComposeInfo(stream);
        }
        using (var stream = CreateFile(Path.Combine(metadataDir, "rpms.json")))
        {
            WriteRpms(stream);
        }
        File.WriteAllText(Path.Combine(composeDir, "STATUS"), status + "\n");
        return composeDir;
    }

    /// <summary>Writes composeinfo.json (productmd.composeinfo 1.2) to the stream, which stays open.</summary>
    public void WriteComposeInfo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        writer.WriteStartObject();
        WriteHeader(writer, "productmd.composeinfo");
        writer.WriteStartObject("payload");
        WriteComposeSection(writer);
        writer.WriteStartObject("release");
        writer.WriteBoolean("internal", false);
        writer.WriteString("name", ReleaseName);
        writer.WriteString("short", ReleaseShort);
        writer.WriteString("type", ReleaseType);
        writer.WriteString("version", ReleaseVersion);
        writer.WriteEndObject();
        writer.WriteStartObject("variants");
        var arches = SortedOrdinal(_arches);
        foreach (var variant in SortedOrdinal(_variants))
        {
            writer.WriteStartObject(variant);
            writer.WriteStartArray("arches");
            foreach (var arch in arches)
            {
                writer.WriteStringValue(arch);
            }
            writer.WriteEndArray();
            writer.WriteString("id", variant);
            writer.WriteString("name", variant);
            writer.WriteStartObject("paths");
            // Categories in sorted order, as productmd dumps them.
            WritePaths(writer, "debug_packages", variant, arches, "/{0}/debug/tree/Packages");
            WritePaths(writer, "debug_repository", variant, arches, "/{0}/debug/tree");
            WritePaths(writer, "debug_tree", variant, arches, "/{0}/debug/tree");
            WritePaths(writer, "os_tree", variant, arches, "/{0}/os");
            WritePaths(writer, "packages", variant, arches, "/{0}/os/Packages");
            WritePaths(writer, "repository", variant, arches, "/{0}/os");
            WritePaths(writer, "source_packages", variant, arches, "/source/tree/Packages");
            WritePaths(writer, "source_repository", variant, arches, "/source/tree");
            WritePaths(writer, "source_tree", variant, arches, "/source/tree");
            writer.WriteEndObject();
            writer.WriteString("type", "variant");
            writer.WriteString("uid", variant);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>
    /// Streams rpms.json (productmd.rpms 1.2) to the stream, which stays open: keys sorted, 4-space indent, flushed
    /// every 64 KiB so memory stays flat whatever the size.
    /// </summary>
    public void WriteRpms(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var order = WriteOrder();
        // Per package, computed once: "-E:V-R." (keys), "-V-R." (file names), the srpm key.
        var keyEvr = new string[_packages.Length];
        var fileVr = new string[_packages.Length];
        var srpmKeys = new string[_packages.Length];
        for (var i = 0; i < _packages.Length; i++)
        {
            var evr = _packages[i].Evr;
            keyEvr[i] = string.Create(CultureInfo.InvariantCulture, $"-{evr.Epoch}:{evr.Version}-{evr.Release}.");
            fileVr[i] = string.Concat("-", evr.Version, "-", evr.Release, ".");
            srpmKeys[i] = string.Concat(_packages[i].Name, keyEvr[i], "src");
        }
        var entries = new List<(string Key, string Path, JsonEncodedText Category)>(16);

        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        writer.WriteStartObject();
        WriteHeader(writer, "productmd.rpms");
        writer.WriteStartObject("payload");
        WriteComposeSection(writer);
        writer.WriteStartObject("rpms");
        var arches = SortedOrdinal(_arches);
        foreach (var variant in SortedOrdinal(_variants))
        {
            var variantStarted = false;
            foreach (var arch in arches)
            {
                var archStarted = false;
                foreach (var index in order)
                {
                    var package = _packages[index];
                    if (!Contains(package.Variants, variant) || !Contains(package.Arches, arch))
                    {
                        continue;
                    }
                    if (!variantStarted)
                    {
                        writer.WriteStartObject(variant);
                        variantStarted = true;
                    }
                    if (!archStarted)
                    {
                        writer.WriteStartObject(arch);
                        archStarted = true;
                    }
                    entries.Clear();
                    entries.Add((srpmKeys[index],
                        string.Concat([variant, "/source/tree/Packages/", Letter(package.Name), "/", package.Name, fileVr[index], "src.rpm"]),
                        SourceCategory));
                    foreach (var binary in package.Binaries)
                    {
                        if (binary.Variant != variant)
                        {
                            continue;
                        }
                        var rpmArch = binary.Noarch ? "noarch" : arch;
                        entries.Add((string.Concat(binary.Name, keyEvr[index], rpmArch),
                            string.Concat([variant, "/", arch, binary.Debug ? "/debug/tree/Packages/" : "/os/Packages/",
                                Letter(binary.Name), "/", binary.Name, fileVr[index], rpmArch, ".rpm"]),
                            binary.Debug ? DebugCategory : BinaryCategory));
                    }
                    entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                    writer.WriteStartObject(srpmKeys[index]);
                    foreach (var (key, path, category) in entries)
                    {
                        writer.WriteStartObject(key);
                        writer.WriteString(CategoryProperty, category);
                        writer.WriteString(PathProperty, path);
                        if (package.Sigkey is null)
                        {
                            writer.WriteNull(SigkeyProperty);
                        }
                        else
                        {
                            writer.WriteString(SigkeyProperty, package.Sigkey);
                        }
                        writer.WriteEndObject();
                    }
                    writer.WriteEndObject();
                    if (writer.BytesPending >= FlushThreshold)
                    {
                        writer.Flush();
                    }
                }
                if (archStarted)
                {
                    writer.WriteEndObject();
                }
            }
            if (variantStarted)
            {
                writer.WriteEndObject();
            }
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>
    /// Creates or replaces <c>&lt;topDir&gt;/&lt;linkName&gt;</c> (default <see cref="DefaultLatestLinkName"/>) as a
    /// relative symlink to this compose's directory, as pungi does after a finished compose: the old link is unlinked,
    /// then the new one made. Returns the link path.
    /// </summary>
    public string UpdateLatestLink(string topDir, string? linkName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topDir);
        linkName ??= DefaultLatestLinkName;
        if (linkName.Length == 0 || linkName.Contains('/') || linkName is "." or "..")
        {
            throw new ArgumentException($"'{linkName}' is not a file name.", nameof(linkName));
        }
        if (!Directory.Exists(Path.Combine(topDir, ComposeId)))
        {
            throw new DirectoryNotFoundException($"No compose directory {ComposeId} under {topDir}; write it first.");
        }
        var linkPath = Path.Combine(topDir, linkName);
        var existing = new FileInfo(linkPath);
        if (existing.LinkTarget is not null)
        {
            existing.Delete();
        }
        else if (existing.Exists || Directory.Exists(linkPath))
        {
            throw new IOException($"{linkPath} exists and is not a symlink.");
        }
        Directory.CreateSymbolicLink(linkPath, ComposeId);
        return linkPath;
    }

    private static readonly SyntheticChangeKind[] UpgradeKinds =
    [
        SyntheticChangeKind.ReleaseBump,
        SyntheticChangeKind.VersionBump,
        SyntheticChangeKind.TildeToFinal,
        SyntheticChangeKind.CaretSnapshotBump,
        SyntheticChangeKind.EpochBump,
        SyntheticChangeKind.ReleaseSuffix,
    ];

    private static readonly SyntheticChangeKind[] DowngradeKinds =
    [
        SyntheticChangeKind.VersionLowered,
        SyntheticChangeKind.ReleaseLowered,
        SyntheticChangeKind.FinalToPreRelease,
        SyntheticChangeKind.EpochLowered,
    ];

    private static readonly SyntheticChangeKind[] EqualKinds =
    [
        SyntheticChangeKind.LeadingZeroRewrite,
        SyntheticChangeKind.SeparatorRewrite,
    ];

    // ---- EVR changes: each one's direction follows from rpmvercmp's rules (rpm.md), and is checked again below. ----

    private static bool IsEligible(SyntheticEvr evr, SyntheticChangeKind kind) => kind switch
    {
        SyntheticChangeKind.Removed => true,
        // Versions and releases always start with a digit.
        SyntheticChangeKind.ReleaseBump => true,
        SyntheticChangeKind.VersionBump => true,
        SyntheticChangeKind.ReleaseSuffix => true,
        SyntheticChangeKind.LeadingZeroRewrite => true,
        SyntheticChangeKind.TildeToFinal => evr.Version.IndexOf('~') > 0,
        SyntheticChangeKind.CaretSnapshotBump => CaretDate(evr.Version) is not null,
        SyntheticChangeKind.EpochBump => evr.Epoch < int.MaxValue,
        SyntheticChangeKind.VersionLowered => LastNonZero(NumericPrefix(evr.Version), evr.Version) >= 0,
        SyntheticChangeKind.ReleaseLowered => LeadingNumber(evr.Release).TrimStart('0').Length > 0,
        SyntheticChangeKind.FinalToPreRelease => evr.Version.IndexOfAny(['~', '^']) < 0,
        SyntheticChangeKind.EpochLowered => evr.Epoch > 0,
        SyntheticChangeKind.SeparatorRewrite => evr.Version.IndexOfAny(['.', '_', '+']) > 0,
        _ => false,
    };

    private static SyntheticEvr Transform(SyntheticEvr evr, SyntheticChangeKind kind, Random rng, string distTag)
    {
        var version = evr.Version;
        var release = evr.Release;
        switch (kind)
        {
            case SyntheticChangeKind.ReleaseBump:
                // First release segment + 1 decides: 3.el10 → 4.el10.
                return evr with { Release = ReplaceLeadingNumber(release, IncrementDigits(LeadingNumber(release))) };
            case SyntheticChangeKind.VersionBump:
            {
                // Same segments up to the last one of the numeric prefix, which grows: 4.3.30 → 4.3.31, 9.9p1 → 9.10.
                var segments = NumericPrefix(version);
                var last = segments[^1];
                var bumped = string.Concat(version.AsSpan(0, last.Start), IncrementDigits(version.Substring(last.Start, last.Length)));
                return new SyntheticEvr(evr.Epoch, bumped, "1" + distTag);
            }
            case SyntheticChangeKind.TildeToFinal:
                // 1.0 > 1.0~rc1: the tilde sorts before the end of the string.
                return new SyntheticEvr(evr.Epoch, version[..version.IndexOf('~')], "1" + distTag);
            case SyntheticChangeKind.CaretSnapshotBump:
            {
                // Same base, both '^', then a later 8-digit date decides.
                var caret = version.IndexOf('^');
                var date = CaretDate(version)!.Value.AddDays(rng.Next(1, 40));
                return new SyntheticEvr(evr.Epoch, string.Concat(version.AsSpan(0, caret + 1), FormatDate(date), "git", RandomHex(rng, 7)), "1" + distTag);
            }
            case SyntheticChangeKind.EpochBump:
            {
                // The epoch decides, whatever the (lower) version.
                var lowered = IsEligible(evr, SyntheticChangeKind.VersionLowered) ? LowerVersion(version) : version;
                return new SyntheticEvr(evr.Epoch + 1, lowered, "1" + distTag);
            }
            case SyntheticChangeKind.ReleaseSuffix:
                // All old segments equal, the new release has one more: 5.el10 < 5.el10_1.
                return evr with { Release = release + (release.EndsWith(distTag, StringComparison.Ordinal) && distTag.StartsWith(".el", StringComparison.Ordinal) ? "_1" : ".1") };
            case SyntheticChangeKind.VersionLowered:
                return evr with { Version = LowerVersion(version) };
            case SyntheticChangeKind.ReleaseLowered:
            {
                var lowered = DecrementDigits(LeadingNumber(release)).TrimStart('0');
                return evr with { Release = ReplaceLeadingNumber(release, lowered.Length == 0 ? "0" : lowered) };
            }
            case SyntheticChangeKind.FinalToPreRelease:
                // 1.0~rc1 < 1.0.
                return evr with { Version = version + "~rc1" };
            case SyntheticChangeKind.EpochLowered:
            {
                // A higher version under a lower epoch is still older.
                var segments = NumericPrefix(version);
                var last = segments[^1];
                var bumped = string.Concat(version.AsSpan(0, last.Start), IncrementDigits(version.Substring(last.Start, last.Length)));
                return new SyntheticEvr(evr.Epoch - 1, bumped, "1" + distTag);
            }
            case SyntheticChangeKind.LeadingZeroRewrite:
                // Numeric segments compare with leading zeros stripped: 1.01 == 1.1.
                return evr with { Version = StripOrAddLeadingZero(version) };
            case SyntheticChangeKind.SeparatorRewrite:
            {
                // Every run of separators is one separator: 2_0 == 2.0, 1.2+git == 1.2.git.
                int at;
                char replacement;
                if ((at = version.IndexOf('_')) > 0 || (at = version.IndexOf('+')) > 0)
                {
                    replacement = '.';
                }
                else
                {
                    at = version.IndexOf('.');
                    replacement = '_';
                }
                return evr with { Version = string.Concat(version.AsSpan(0, at), replacement.ToString(), version.AsSpan(at + 1)) };
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>The last non-zero segment of the numeric prefix goes down, the tail after the prefix goes: 4.3.30 → 4.3.29, 1.0a → 0.0.</summary>
    private static string LowerVersion(string version)
    {
        var segments = NumericPrefix(version);
        var k = LastNonZero(segments, version);
        var segment = segments[k];
        var digits = version.Substring(segment.Start, segment.Length);
        var lowered = DecrementDigits(digits);
        if (digits[0] != '0')
        {
            lowered = lowered.TrimStart('0');
            if (lowered.Length == 0)
            {
                lowered = "0";
            }
        }
        var prefixEnd = segments[^1].Start + segments[^1].Length;
        return string.Concat(version.AsSpan(0, segment.Start), lowered, version.AsSpan(segment.Start + segment.Length, prefixEnd - segment.Start - segment.Length));
    }

    private static string StripOrAddLeadingZero(string version)
    {
        for (var i = 0; i < version.Length; i++)
        {
            if (version[i] == '0' && (i == 0 || !char.IsAsciiDigit(version[i - 1])) && i + 1 < version.Length && char.IsAsciiDigit(version[i + 1]))
            {
                var end = i;
                while (end + 1 < version.Length && version[end] == '0' && char.IsAsciiDigit(version[end + 1]))
                {
                    end++;
                }
                return string.Concat(version.AsSpan(0, i), version.AsSpan(end));
            }
        }
        var last = NumericPrefix(version)[^1];
        return string.Concat(version.AsSpan(0, last.Start), "0", version.AsSpan(last.Start));
    }

    /// <summary>Digit runs of the leading <c>\d+([._]\d+)*</c> part of a version.</summary>
    private static List<(int Start, int Length)> NumericPrefix(string version)
    {
        var segments = new List<(int Start, int Length)>(4);
        var i = 0;
        while (i < version.Length && char.IsAsciiDigit(version[i]))
        {
            var start = i;
            while (i < version.Length && char.IsAsciiDigit(version[i]))
            {
                i++;
            }
            segments.Add((start, i - start));
            if (i + 1 < version.Length && (version[i] == '.' || version[i] == '_') && char.IsAsciiDigit(version[i + 1]))
            {
                i++;
            }
            else
            {
                break;
            }
        }
        if (segments.Count == 0)
        {
            throw new InvalidOperationException($"Version '{version}' does not start with a digit.");
        }
        return segments;
    }

    private static int LastNonZero(List<(int Start, int Length)> segments, string version)
    {
        for (var k = segments.Count - 1; k >= 0; k--)
        {
            if (version.AsSpan(segments[k].Start, segments[k].Length).ContainsAnyExcept('0'))
            {
                return k;
            }
        }
        return -1;
    }

    private static string LeadingNumber(string value)
    {
        var i = 0;
        while (i < value.Length && char.IsAsciiDigit(value[i]))
        {
            i++;
        }
        return value[..i];
    }

    private static string ReplaceLeadingNumber(string value, string number) => number + value[LeadingNumber(value).Length..];

    private static DateOnly? CaretDate(string version)
    {
        var caret = version.IndexOf('^');
        if (caret < 0 || caret + 12 > version.Length || !version.AsSpan(caret + 9, 3).SequenceEqual("git"))
        {
            return null;
        }
        return DateOnly.TryParseExact(version.AsSpan(caret + 1, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;
    }

    private static string IncrementDigits(string digits)
    {
        var chars = digits.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (chars[i] != '9')
            {
                chars[i]++;
                return new string(chars);
            }
            chars[i] = '0';
        }
        return "1" + new string(chars);
    }

    private static string DecrementDigits(string digits)
    {
        var chars = digits.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (chars[i] != '0')
            {
                chars[i]--;
                return new string(chars);
            }
            chars[i] = '9';
        }
        throw new InvalidOperationException($"Cannot lower {digits}.");
    }

    private static void CheckDirection(string name, SyntheticEvr before, SyntheticEvr after, SyntheticVerdict verdict, SyntheticChangeKind kind)
    {
        var sign = Math.Sign(CompareEvr(after, before));
        var expected = verdict switch
        {
            SyntheticVerdict.Upgraded => 1,
            SyntheticVerdict.Downgraded => -1,
            _ => 0,
        };
        if (sign != expected || (verdict == SyntheticVerdict.Unchanged && before == after))
        {
            throw new InvalidOperationException($"{kind} of {name} {before} → {after} is not {verdict}.");
        }
    }

    /// <summary>rpm's EVR order: epoch, then version, then release, each with rpmvercmp.</summary>
    private static int CompareEvr(SyntheticEvr a, SyntheticEvr b)
    {
        var result = a.Epoch.CompareTo(b.Epoch);
        if (result == 0)
        {
            result = RpmVerCmp(a.Version, b.Version);
        }
        return result == 0 ? RpmVerCmp(a.Release, b.Release) : result;
    }

    /// <summary>A port of rpm's rpmvercmp (rpmio/rpmvercmp.cc): 1 if a is newer, -1 if b is, 0 if equal.</summary>
    private static int RpmVerCmp(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 0;
        }
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && !char.IsAsciiLetterOrDigit(a[i]) && a[i] is not ('~' or '^'))
            {
                i++;
            }
            while (j < b.Length && !char.IsAsciiLetterOrDigit(b[j]) && b[j] is not ('~' or '^'))
            {
                j++;
            }
            bool aTilde = i < a.Length && a[i] == '~', bTilde = j < b.Length && b[j] == '~';
            if (aTilde || bTilde)
            {
                if (!aTilde)
                {
                    return 1;
                }
                if (!bTilde)
                {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            bool aCaret = i < a.Length && a[i] == '^', bCaret = j < b.Length && b[j] == '^';
            if (aCaret || bCaret)
            {
                if (i >= a.Length)
                {
                    return -1;
                }
                if (j >= b.Length)
                {
                    return 1;
                }
                if (!aCaret)
                {
                    return 1;
                }
                if (!bCaret)
                {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (i >= a.Length || j >= b.Length)
            {
                break;
            }
            int startA = i, startB = j;
            var numeric = char.IsAsciiDigit(a[i]);
            Func<char, bool> inSegment = numeric ? char.IsAsciiDigit : char.IsAsciiLetter;
            while (i < a.Length && inSegment(a[i]))
            {
                i++;
            }
            while (j < b.Length && inSegment(b[j]))
            {
                j++;
            }
            if (j == startB)
            {
                return numeric ? 1 : -1;
            }
            var segmentA = a.AsSpan(startA, i - startA);
            var segmentB = b.AsSpan(startB, j - startB);
            if (numeric)
            {
                segmentA = segmentA.TrimStart('0');
                segmentB = segmentB.TrimStart('0');
                if (segmentA.Length != segmentB.Length)
                {
                    return segmentA.Length > segmentB.Length ? 1 : -1;
                }
            }
            var result = segmentA.SequenceCompareTo(segmentB);
            if (result != 0)
            {
                return result > 0 ? 1 : -1;
            }
        }
        if (i >= a.Length && j >= b.Length)
        {
            return 0;
        }
        return i >= a.Length ? -1 : 1;
    }

    // ---- Writing helpers ----

    private int[] WriteOrder()
    {
        if (_writeOrder is null)
        {
            var keys = new string[_packages.Length];
            var order = new int[_packages.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = _packages[i].SrpmNevra;
                order[i] = i;
            }
            // productmd sorts keys by code point; the srpm key order differs from name order (foo-2:… vs foo-1.10-0:…).
            Array.Sort(keys, order, StringComparer.Ordinal);
            _writeOrder = order;
        }
        return _writeOrder;
    }

    private static void WriteHeader(Utf8JsonWriter writer, string type)
    {
        writer.WriteStartObject("header");
        writer.WriteString("type", type);
        writer.WriteString("version", "1.2");
        writer.WriteEndObject();
    }

    private void WriteComposeSection(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("compose");
        writer.WriteString("date", Date);
        if (Label is not null)
        {
            writer.WriteBoolean("final", Final);
        }
        writer.WriteString("id", ComposeId);
        if (Label is not null)
        {
            writer.WriteString("label", Label);
        }
        writer.WriteNumber("respin", Respin);
        writer.WriteString("type", ComposeType);
        writer.WriteEndObject();
    }

    private static void WritePaths(Utf8JsonWriter writer, string category, string variant, string[] arches, string format)
    {
        writer.WriteStartObject(category);
        foreach (var arch in arches)
        {
            writer.WriteString(arch, variant + string.Format(CultureInfo.InvariantCulture, format, arch));
        }
        writer.WriteEndObject();
    }

    private static FileStream CreateFile(string path) =>
        new(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);

    private static string[] SortedOrdinal(IEnumerable<string> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return true;
            }
        }
        return false;
    }

    private static readonly string[] Letters = CreateLetters();

    private static string[] CreateLetters()
    {
        var letters = new string[128];
        for (var c = 0; c < letters.Length; c++)
        {
            letters[c] = char.ToLowerInvariant((char)c).ToString();
        }
        return letters;
    }

    /// <summary>pungi's hashed package directory: the file name's first letter, lower-cased.</summary>
    private static string Letter(string name) => name[0] < 128 ? Letters[name[0]] : char.ToLowerInvariant(name[0]).ToString();

    // ---- Options, dates, seeds ----

    private static void Validate(SyntheticComposeOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.ReleaseShort);
        ArgumentException.ThrowIfNullOrEmpty(options.ReleaseVersion);
        ArgumentException.ThrowIfNullOrEmpty(options.ReleaseName);
        ArgumentException.ThrowIfNullOrEmpty(options.ReleaseType);
        if (Array.IndexOf(ComposeTypeNames, options.ComposeType) < 0)
        {
            throw new ArgumentException($"Compose type must be one of {string.Join(", ", ComposeTypeNames)}.", nameof(options));
        }
        ParseDate(options.Date);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Respin);
        ArgumentOutOfRangeException.ThrowIfNegative(options.SourcePackageCount);
        CheckNames(options.Variants, "variant");
        CheckNames(options.Arches, "arch");
        if (options.Arches.Any(a => a is "src" or "nosrc" or "noarch"))
        {
            throw new ArgumentException("Compose arches are tree arches; src, nosrc and noarch are not.", nameof(options));
        }
        if (options.DistTag is { } dist && (dist.Length < 2 || dist[0] != '.' || dist.IndexOfAny(['-', ':', '~', '^', '/']) >= 0))
        {
            throw new ArgumentException("A dist tag looks like .el10 or .fc42.", nameof(options));
        }
    }

    private static void CheckNames(IReadOnlyList<string> names, string what)
    {
        if (names is null || names.Count == 0)
        {
            throw new ArgumentException($"At least one {what} is needed.");
        }
        if (names.Any(n => string.IsNullOrEmpty(n) || n.Contains('/') || n.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException($"Invalid {what} name in {string.Join(", ", names)}.");
        }
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new ArgumentException($"Duplicate {what} in {string.Join(", ", names)}.");
        }
    }

    private static DateOnly ParseDate(string date) =>
        date is { Length: 8 } && DateOnly.TryParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? parsed
            : throw new ArgumentException($"Compose date '{date}' is not yyyyMMdd.", nameof(date));

    private static string FormatDate(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string DefaultDistTag(string releaseShort, string releaseVersion)
    {
        var major = LeadingNumber(releaseVersion);
        if (releaseShort.StartsWith("Fedora", StringComparison.OrdinalIgnoreCase))
        {
            return ".fc" + (major.Length > 0 ? major : "45");
        }
        return ".el" + (major.Length > 0 ? major : "10");
    }

    private static string DefaultLatestLink(string releaseShort, string releaseVersion)
    {
        var parts = releaseVersion.Split('.');
        return $"latest-{releaseShort}-{string.Join('.', parts.Take(Math.Max(1, parts.Length - 1)))}";
    }

    private static int DeriveSeed(int seed, int generation)
    {
        unchecked
        {
            var z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)generation * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
        }
    }

    private static string RandomHex(Random rng, int length)
    {
        const string Hex = "0123456789abcdef";
        return string.Create(length, rng, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Hex[r.Next(16)];
            }
        });
    }

    private static void Shuffle<T>(Random rng, T[] values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static T Pick<T>(Random rng, T[] values) => values[rng.Next(values.Length)];

    // ---- Package generation ----

    private readonly record struct BinarySpec(string Name, bool Noarch, bool Debug, bool Optional);

    /// <summary>Builds source packages: names, EVRs, binaries, variants, arches and signatures, all from one Random.</summary>
    private sealed class PackageBuilder(Random rng, string[] variants, string[] arches, string distTag, string[] keys, DateOnly composeDate)
    {
        private readonly HashSet<string> _sourceNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _binaryNames = new(StringComparer.Ordinal);
        private readonly List<BinarySpec> _specs = new(16);

        /// <summary>Marks an existing package's names as taken.</summary>
        public void Reserve(SyntheticSourcePackage package)
        {
            _sourceNames.Add(package.Name);
            foreach (var binary in package.Binaries)
            {
                _binaryNames.Add(binary.Name);
            }
        }

        public bool IsFree(string name) =>
            !_sourceNames.Contains(name) && !_binaryNames.Contains(name) && !_binaryNames.Contains(Names.MainBinary(name));

        public string NewName()
        {
            for (var attempt = 0; ; attempt++)
            {
                var name = Names.Next(rng);
                if (attempt > 200)
                {
                    // Word lists exhausted for this family mix: a numeric suffix always makes it unique.
                    name += string.Create(CultureInfo.InvariantCulture, $"{rng.Next(2, 100)}");
                }
                if (IsFree(name))
                {
                    return name;
                }
            }
        }

        public SyntheticSourcePackage Build(string name)
        {
            _sourceNames.Add(name);
            var evr = new SyntheticEvr(NewEpoch(), NewVersion(), NewRelease());
            var special = Words.Special.TryGetValue(name, out var fixedBinaries);
            PlanBinaries(name, special ? fixedBinaries : null);
            if (_specs.Count == 0)
            {
                // Every planned name was taken by another source package: the source name itself is free.
                Add(Names.MainBinary(name), noarch: false);
            }

            // Variants: one primary; sometimes the -devel/-doc/-static subpackages go to a second one (CRB style).
            var primary = special ? variants[0] : PickVariant();
            var secondary = primary;
            if (!special && variants.Length > 1 && _specs.Count > 1 && rng.NextDouble() < 0.15)
            {
                secondary = primary != variants[^1] ? variants[^1] : variants[rng.Next(variants.Length - 1)];
            }
            var binaries = new SyntheticBinaryPackage[_specs.Count];
            var movable = false;
            for (var i = 1; i < _specs.Count; i++)
            {
                movable |= _specs[i].Optional;
            }
            for (var i = 0; i < _specs.Count; i++)
            {
                var spec = _specs[i];
                var toSecondary = secondary != primary && !spec.Debug && i > 0 &&
                    (spec.Optional || (!movable && i == LastNonDebug()));
                binaries[i] = new SyntheticBinaryPackage(spec.Name, toSecondary ? secondary : primary, spec.Noarch, spec.Debug);
            }
            IReadOnlyList<string> packageVariants = secondary != primary && binaries.Any(b => b.Variant == secondary)
                ? (string.CompareOrdinal(primary, secondary) < 0 ? [primary, secondary] : [secondary, primary])
                : [primary];
            var packageArches = special ? arches : PickArches();
            var roll = rng.NextDouble();
            var sigkey = roll < 0.90 ? keys[0] : roll < 0.97 ? keys[1] : null;
            return new SyntheticSourcePackage(name, evr, sigkey, packageVariants, packageArches, binaries);
        }

        private int LastNonDebug()
        {
            for (var i = _specs.Count - 1; i > 0; i--)
            {
                if (!_specs[i].Debug)
                {
                    return i;
                }
            }
            return -1;
        }

        private string PickVariant()
        {
            if (variants.Length == 1)
            {
                return variants[0];
            }
            // The second variant (AppStream by default) is the big one.
            var weight = rng.NextDouble() * (variants.Length + 1.5);
            if (weight < 1)
            {
                return variants[0];
            }
            if (weight < 3.5)
            {
                return variants[1];
            }
            return variants[Math.Min(variants.Length - 1, 2 + (int)(weight - 3.5))];
        }

        private string[] PickArches()
        {
            if (arches.Length == 1)
            {
                return arches;
            }
            var roll = rng.NextDouble();
            if (roll < 0.22 || (roll < 0.36 && arches.Length == 2))
            {
                return arches;
            }
            if (roll < 0.36)
            {
                return [arches[0], arches[1 + rng.Next(arches.Length - 1)]];
            }
            // One arch: the first (x86_64) half of the time.
            return [rng.NextDouble() < 0.5 ? arches[0] : arches[1 + rng.Next(arches.Length - 1)]];
        }

        private int NewEpoch()
        {
            var roll = rng.NextDouble();
            return roll switch
            {
                < 0.82 => 0,
                < 0.93 => 1,
                < 0.97 => 2,
                < 0.99 => rng.Next(3, 10),
                _ => Pick(rng, Words.LargeEpochs),
            };
        }

        private string NewVersion()
        {
            var roll = rng.NextDouble();
            switch (roll)
            {
                case < 0.44:
                    return Dotted(rng.NextDouble() switch { < 0.08 => 1, < 0.45 => 2, _ => 3 }, '.');
                case < 0.50:
                    return Dotted(rng.Next(4, 8), '.');
                case < 0.57:
                {
                    // Leading zeros: 2.01, 1.007.3.
                    var parts = DottedParts(rng.Next(2, 4));
                    var at = 1 + rng.Next(parts.Length - 1);
                    parts[at] = new string('0', rng.Next(1, 3)) + rng.Next(1, 10).ToString(CultureInfo.InvariantCulture);
                    return string.Join('.', parts);
                }
                case < 0.64:
                    // Alpha segments: 9.9p1, 1.0a, 3.2.1b.
                    return Dotted(rng.Next(2, 4), '.') + Pick(rng, Words.AlphaSuffixes);
                case < 0.71:
                {
                    // Tilde pre-releases: 1.0~rc1, 3.12.0~beta2.
                    var pre = Pick(rng, Words.PreReleases);
                    return Dotted(rng.Next(2, 4), '.') + "~" + pre + (rng.NextDouble() < 0.7 ? rng.Next(1, 6).ToString(CultureInfo.InvariantCulture) : "");
                }
                case < 0.77:
                    // Caret snapshots: 1.0^20261101git3f2a1bc.
                    return Dotted(rng.Next(1, 4), '.') + "^" + FormatDate(composeDate.AddDays(-rng.Next(1, 200))) + "git" + RandomHex(rng, 7);
                case < 0.81:
                    // Underscores: 2_0, 1_5_3, 3.2_1.
                    return rng.NextDouble() < 0.7 ? Dotted(rng.NextDouble() < 0.75 ? 2 : 3, '_') : Dotted(2, '.') + "_" + rng.Next(1, 10).ToString(CultureInfo.InvariantCulture);
                case < 0.86:
                    // Plus: 1.2+git, 0.9+ds1.
                    return Dotted(rng.Next(2, 4), '.') + "+" + Pick(rng, Words.PlusSuffixes);
                case < 0.90:
                {
                    // Dates: 20240115, 2024.01.15.
                    var date = composeDate.AddDays(-rng.Next(30, 1500));
                    return rng.NextDouble() < 0.5
                        ? FormatDate(date)
                        : date.ToString("yyyy.MM.dd", CultureInfo.InvariantCulture);
                }
                default:
                    return Dotted(rng.Next(2, 4), '.');
            }
        }

        private string Dotted(int count, char separator) => string.Join(separator, DottedParts(count));

        private string[] DottedParts(int count)
        {
            var parts = new string[count];
            var first = rng.NextDouble() switch
            {
                < 0.18 => 0,
                < 0.43 => 1,
                < 0.58 => 2,
                < 0.83 => rng.Next(3, 10),
                < 0.98 => rng.Next(10, 61),
                _ => rng.Next(2019, 2027),
            };
            parts[0] = first.ToString(CultureInfo.InvariantCulture);
            var nonZero = first != 0;
            for (var i = 1; i < count; i++)
            {
                var value = rng.NextDouble() switch
                {
                    < 0.6 => rng.Next(0, 10),
                    < 0.9 => rng.Next(10, 41),
                    _ => rng.Next(41, 201),
                };
                nonZero |= value != 0;
                parts[i] = value.ToString(CultureInfo.InvariantCulture);
            }
            if (!nonZero)
            {
                parts[^1] = rng.Next(1, 10).ToString(CultureInfo.InvariantCulture);
            }
            return parts;
        }

        private string NewRelease()
        {
            var roll = rng.NextDouble();
            string release;
            if (roll < 0.03)
            {
                // Old-style pre-release in the release: 0.3.rc1.el10, 0.2.20240101git1a2b3c4.el10.
                var tag = rng.NextDouble() < 0.6
                    ? Pick(rng, Words.PreReleases) + rng.Next(1, 4).ToString(CultureInfo.InvariantCulture)
                    : FormatDate(composeDate.AddDays(-rng.Next(1, 300))) + "git" + RandomHex(rng, 7);
                release = string.Create(CultureInfo.InvariantCulture, $"0.{rng.Next(1, 6)}.{tag}");
            }
            else
            {
                var number = roll switch
                {
                    < 0.42 => 1,
                    < 0.77 => rng.Next(2, 6),
                    _ => rng.Next(6, 31),
                };
                release = number.ToString(CultureInfo.InvariantCulture);
                if (rng.NextDouble() < 0.12)
                {
                    release += "." + rng.Next(1, 4).ToString(CultureInfo.InvariantCulture);
                }
            }
            release += distTag;
            if (distTag.StartsWith(".el", StringComparison.Ordinal) && rng.NextDouble() < 0.06)
            {
                release += "_" + rng.Next(0, 3).ToString(CultureInfo.InvariantCulture);
            }
            return release;
        }

        private int BinaryCount()
        {
            var roll = rng.NextDouble();
            return roll switch
            {
                < 0.47 => 1,
                < 0.69 => 2,
                < 0.80 => 3,
                < 0.87 => 4,
                < 0.91 => 5,
                < 0.94 => 6,
                < 0.96 => 7,
                < 0.975 => 8,
                < 0.985 => 9,
                < 0.992 => 10,
                < 0.997 => 11,
                _ => 12,
            };
        }

        private void PlanBinaries(string name, (string Name, char Kind)[]? fixedBinaries)
        {
            _specs.Clear();
            if (fixedBinaries is not null)
            {
                foreach (var (binary, kind) in fixedBinaries)
                {
                    Add(binary, noarch: kind == 'n', debug: kind == 'd', optional: kind == 'o');
                }
                return;
            }
            var count = BinaryCount();
            var main = Names.MainBinary(name);
            var family = Names.FamilyOf(name);
            switch (family)
            {
                case Family.Golang:
                    Add(name + "-devel", noarch: true);
                    if (count >= 4)
                    {
                        Add(name["golang-github-".Length..].Split('-')[^1], noarch: false);
                        AddDebug(name);
                    }
                    return;
                case Family.Rust:
                    Add(name + "-devel", noarch: true);
                    foreach (var feature in Words.RustFeatures.Take(Math.Min(count, 4) - 1))
                    {
                        Add($"{name}+{feature}-devel", noarch: true);
                    }
                    return;
                case Family.Font:
                    Add(name, noarch: true);
                    if (count >= 3)
                    {
                        Add(name[..^"-fonts".Length] + "-fonts-all", noarch: true, optional: true);
                    }
                    return;
                case Family.TeX:
                    Add(name, noarch: true);
                    if (count >= 2)
                    {
                        Add(name + "-doc", noarch: true, optional: true);
                    }
                    return;
            }
            var noarchFamily = family switch
            {
                Family.Python => rng.NextDouble() < 0.75,
                Family.Perl => rng.NextDouble() < 0.65,
                Family.Script => rng.NextDouble() < 0.8,
                Family.Java => true,
                _ => false,
            };
            Add(main, noarchFamily);
            if (!noarchFamily && count >= 3 && rng.NextDouble() < 0.8)
            {
                AddDebug(name);
            }
            var pool = noarchFamily ? Words.NoarchSuffixes : Words.ArchSuffixes;
            var start = rng.Next(pool.Length);
            // The common ones (-devel, -libs, -doc) first, then a rotation of the rest.
            for (var i = 0; _specs.Count < count && i < pool.Length; i++)
            {
                var (suffix, kind) = i < 3 ? pool[i] : pool[3 + (start + i) % (pool.Length - 3)];
                Add((family == Family.Java && suffix == "-doc" ? main + "-javadoc" : main + suffix), noarch: noarchFamily || kind == 'n', optional: kind == 'o');
            }
        }

        private void AddDebug(string name)
        {
            Add(Names.MainBinary(name) + "-debuginfo", noarch: false, debug: true);
            Add(name + "-debugsource", noarch: false, debug: true);
        }

        private void Add(string binary, bool noarch, bool debug = false, bool optional = false)
        {
            if (_binaryNames.Add(binary))
            {
                _specs.Add(new BinarySpec(binary, noarch && !debug, debug, optional));
            }
        }
    }

    private enum Family
    {
        Generic,
        Python,
        Perl,
        Golang,
        Rust,
        Script,
        Java,
        Font,
        TeX,
    }

    /// <summary>Source package names from word lists: a mix of families shaped like a real distribution's.</summary>
    private static class Names
    {
        public static Family FamilyOf(string name) => name switch
        {
            _ when name.StartsWith("python-", StringComparison.Ordinal) => Family.Python,
            _ when name.StartsWith("perl-", StringComparison.Ordinal) => Family.Perl,
            _ when name.StartsWith("golang-github-", StringComparison.Ordinal) => Family.Golang,
            _ when name.StartsWith("rust-", StringComparison.Ordinal) => Family.Rust,
            _ when name.StartsWith("rubygem-", StringComparison.Ordinal) || name.StartsWith("nodejs-", StringComparison.Ordinal) => Family.Script,
            _ when name.StartsWith("apache-commons-", StringComparison.Ordinal) || name.StartsWith("maven-", StringComparison.Ordinal) || name.StartsWith("jakarta-", StringComparison.Ordinal) => Family.Java,
            _ when name.EndsWith("-fonts", StringComparison.Ordinal) => Family.Font,
            _ when name.StartsWith("texlive-", StringComparison.Ordinal) => Family.TeX,
            _ => Family.Generic,
        };

        /// <summary>The binary named after the source: python-foo builds python3-foo, everything else its own name.</summary>
        public static string MainBinary(string name) =>
            name.StartsWith("python-", StringComparison.Ordinal) ? "python3-" + name["python-".Length..] : name;

        /// <summary>lua5.4, llvm19; hdf5-1.14 rather than hdf51.14.</summary>
        private static string Versioned(string name, string version) =>
            char.IsAsciiDigit(name[^1]) ? name + "-" + version : name + version;

        public static string Next(Random rng)
        {
            var roll = rng.Next(100);
            return roll switch
            {
                < 16 => rng.Next(3) switch
                {
                    0 => "python-" + Pick(rng, Words.PythonProjects),
                    1 => $"python-{Pick(rng, Words.Tech)}-{Pick(rng, Words.Tech)}",
                    _ => $"python-{Pick(rng, Words.Tech)}{Pick(rng, Words.Tech)}",
                },
                < 30 => rng.Next(3) == 0
                    ? $"perl-{Pick(rng, Words.Cpan)}-{Pick(rng, Words.Cpan)}"
                    : $"perl-{Pick(rng, Words.Cpan)}-{Pick(rng, Words.Cpan)}-{Pick(rng, Words.Cpan)}",
                < 37 => $"golang-github-{Pick(rng, Words.GoOrgs)}-{Pick(rng, Words.Tech)}{(rng.Next(2) == 0 ? "" : "-" + Pick(rng, Words.Tech))}",
                < 44 => rng.Next(3) switch
                {
                    0 => $"rust-{Pick(rng, Words.Tech)}",
                    1 => $"rust-{Pick(rng, Words.Tech)}-{Pick(rng, Words.Tech)}",
                    _ => $"rust-{Pick(rng, Words.Tech)}_{Pick(rng, Words.Tech)}",
                },
                < 56 => rng.Next(6) switch
                {
                    0 => $"lib{Pick(rng, Words.Tech)}",
                    1 => $"lib{Pick(rng, Words.Tech)}{rng.Next(1, 7)}",
                    2 => $"lib{Pick(rng, Words.Tech)}-{Pick(rng, Words.Tech)}",
                    3 => $"lib{Pick(rng, Words.Tech)}{Pick(rng, Words.Tech)}",
                    4 => $"lib{Pick(rng, Words.Tech)}-ng",
                    _ => $"lib{Pick(rng, Words.Tech)}++{(rng.Next(2) == 0 ? "" : rng.Next(1, 40).ToString(CultureInfo.InvariantCulture))}",
                },
                < 60 => $"rubygem-{Pick(rng, Words.Tech)}{(rng.Next(2) == 0 ? "" : "-" + Pick(rng, Words.Tech))}",
                < 64 => $"nodejs-{Pick(rng, Words.Tech)}{(rng.Next(2) == 0 ? "" : "-" + Pick(rng, Words.Tech))}",
                < 67 => $"texlive-{Pick(rng, Words.Tech)}{Pick(rng, Words.Tech)}",
                < 70 => $"{Pick(rng, Words.FontVendors)}-{Pick(rng, Words.FontNames)}-{Pick(rng, Words.Tech)}-fonts",
                < 73 => $"ghc-{Pick(rng, Words.Cpan)}{(rng.Next(2) == 0 ? "" : "-" + Pick(rng, Words.Cpan))}",
                < 75 => $"R-{Pick(rng, Words.Cpan)}{Pick(rng, Words.Tech)}",
                < 77 => $"ocaml-{Pick(rng, Words.Tech)}{(rng.Next(2) == 0 ? "" : "-" + Pick(rng, Words.Tech))}",
                < 78 => $"php-pecl-{Pick(rng, Words.Tech)}",
                < 79 => $"mingw-{Pick(rng, Words.Tech)}",
                < 80 => $"xorg-x11-{Pick(rng, Words.Tech)}",
                < 84 => rng.Next(4) switch
                {
                    // Versioned names whose digits look like a version: openmpi-1.10, llvm19, compat-openssl11, lua5.4.
                    0 => $"{Pick(rng, Words.VersionedBases)}-{rng.Next(1, 10)}.{rng.Next(0, 21)}",
                    1 => Versioned(Pick(rng, Words.VersionedBases), rng.Next(2, 25).ToString(CultureInfo.InvariantCulture)),
                    2 => $"compat-{Pick(rng, Words.VersionedBases)}{rng.Next(1, 40)}",
                    _ => Versioned(Pick(rng, Words.VersionedBases), string.Create(CultureInfo.InvariantCulture, $"{rng.Next(1, 10)}.{rng.Next(0, 13)}")),
                },
                < 87 => rng.Next(3) switch
                {
                    0 => $"apache-commons-{Pick(rng, Words.Tech)}",
                    1 => $"maven-{Pick(rng, Words.Tech)}-plugin",
                    _ => $"jakarta-{Pick(rng, Words.Tech)}",
                },
                < 90 => $"{Pick(rng, Words.DesktopPrefixes)}-{Pick(rng, Words.Tech)}",
                < 91 => $"{Pick(rng, Words.Tech)}-c++",
                _ => rng.Next(5) switch
                {
                    0 => $"{Pick(rng, Words.Tech)}{Pick(rng, Words.Tech)}",
                    1 => $"{Pick(rng, Words.Tech)}-{Pick(rng, Words.Tech)}",
                    2 => $"{Pick(rng, Words.Tech)}-{Pick(rng, Words.ToolSuffixes)}",
                    3 => $"{Pick(rng, Words.Tech)}{Pick(rng, Words.Tech)}d",
                    _ => $"{Pick(rng, Words.Tech)}{Pick(rng, Words.ToolSuffixes)}",
                },
            };
        }
    }

    private static class Words
    {
        private static string[] Split(string words) => words.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        /// <summary>Real package names: always in a compose of this size or more.</summary>
        public static readonly string[] Core = Split(
            "bash glibc kernel systemd coreutils util-linux gcc binutils openssl openssh curl wget2 python3.12 python3.13 perl " +
            "ruby nodejs golang rust llvm clang cmake make automake autoconf libtool gettext grep sed gawk tar gzip xz bzip2 " +
            "zstd lz4 zlib-ng libxml2 libxslt sqlite postgresql mariadb valkey nginx httpd php bind dhcp chrony NetworkManager " +
            "firewalld selinux-policy dnf rpm libdnf librepo createrepo_c dracut grub2 shim efibootmgr lvm2 mdadm xfsprogs " +
            "e2fsprogs cryptsetup sudo shadow-utils pam polkit dbus-broker audit rsyslog logrotate cronie tzdata " +
            "ca-certificates nss nspr gnutls krb5 openldap cyrus-sasl samba nfs-utils rpcbind iproute iptables nftables " +
            "tcpdump wireshark vim emacs nano less man-db texinfo groff git subversion java-21-openjdk java-25-openjdk " +
            "maven-openjdk21 tomcat qemu-kvm libvirt podman buildah skopeo containers-common crun conmon cockpit gnome-shell " +
            "mutter gtk3 gtk4 glib2 qt6-qtbase qt5-qtbase firefox thunderbird libreoffice mesa xorg-x11-server-Xwayland " +
            "pipewire alsa-lib cups ghostscript poppler fontconfig freetype harfbuzz cairo pango pixman libpng libjpeg-turbo " +
            "libtiff libwebp giflib ImageMagick gstreamer1 sane-backends bluez avahi ModemManager wpa_supplicant openmpi " +
            "mpich hdf5 boost tbb gmp mpfr libmpc elfutils gdb valgrind strace ltrace perf-tools annobin redhat-rpm-config " +
            "python-pip python-setuptools python-requests perl-IO-Compress perl-Data-Dumper perl-libwww-perl gcc-toolset-14 " +
            "openmpi-1.10 compat-openssl11 libsigc++30 libxml++ gtkmm4.0 fmt spdlog json-c jansson yajl protobuf grpc " +
            "abseil-cpp re2 pcre2 oniguruma libffi libuv libevent libsodium libgcrypt libgpg-error gnupg2 gpgme tpm2-tss " +
            "sssd realmd freeipa 389-ds-base keyutils kmod pciutils usbutils lsof psmisc procps-ng hostname which findutils diffutils");

        /// <summary>Fixed binary lists for the big core packages: n = noarch, d = debug, o = goes to a second variant.</summary>
        public static readonly Dictionary<string, (string Name, char Kind)[]> Special = new(StringComparer.Ordinal)
        {
            ["kernel"] =
            [
                ("kernel", 'a'), ("kernel-core", 'a'), ("kernel-modules", 'a'), ("kernel-modules-core", 'a'),
                ("kernel-modules-extra", 'a'), ("kernel-devel", 'a'), ("kernel-headers", 'a'), ("kernel-tools", 'a'),
                ("kernel-tools-libs", 'a'), ("kernel-doc", 'n'), ("kernel-debuginfo", 'd'), ("kernel-debug-debuginfo", 'd'),
            ],
            ["gcc"] =
            [
                ("gcc", 'a'), ("gcc-c++", 'a'), ("gcc-gfortran", 'a'), ("cpp", 'a'), ("libgcc", 'a'), ("libstdc++", 'a'),
                ("libstdc++-devel", 'a'), ("libgomp", 'a'), ("libatomic", 'a'), ("gcc-plugin-annobin", 'a'),
                ("gcc-debuginfo", 'd'), ("gcc-debugsource", 'd'),
            ],
            ["glibc"] =
            [
                ("glibc", 'a'), ("glibc-common", 'a'), ("glibc-devel", 'a'), ("glibc-langpack-en", 'a'),
                ("glibc-minimal-langpack", 'a'), ("glibc-all-langpacks", 'a'), ("nscd", 'a'), ("glibc-utils", 'a'),
                ("glibc-doc", 'n'), ("glibc-debuginfo", 'd'), ("glibc-debugsource", 'd'),
            ],
            ["systemd"] =
            [
                ("systemd", 'a'), ("systemd-libs", 'a'), ("systemd-pam", 'a'), ("systemd-udev", 'a'),
                ("systemd-container", 'a'), ("systemd-resolved", 'a'), ("systemd-devel", 'a'), ("systemd-rpm-macros", 'n'),
                ("systemd-debuginfo", 'd'), ("systemd-debugsource", 'd'),
            ],
            ["python3.12"] =
            [
                ("python3.12", 'a'), ("python3.12-libs", 'a'), ("python3.12-devel", 'a'), ("python3.12-tkinter", 'a'),
                ("python3.12-idle", 'a'), ("python3.12-test", 'a'), ("python3.12-debug", 'a'),
                ("python3.12-debuginfo", 'd'), ("python3.12-debugsource", 'd'),
            ],
            ["openssl"] =
            [
                ("openssl", 'a'), ("openssl-libs", 'a'), ("openssl-devel", 'a'), ("openssl-perl", 'a'),
                ("openssl-debuginfo", 'd'), ("openssl-debugsource", 'd'),
            ],
            ["bash"] = [("bash", 'a'), ("bash-devel", 'a'), ("bash-debuginfo", 'd'), ("bash-debugsource", 'd')],
            ["perl"] =
            [
                ("perl", 'a'), ("perl-interpreter", 'a'), ("perl-libs", 'a'), ("perl-devel", 'a'), ("perl-macros", 'n'),
                ("perl-debuginfo", 'd'), ("perl-debugsource", 'd'),
            ],
            ["coreutils"] =
            [
                ("coreutils", 'a'), ("coreutils-common", 'a'), ("coreutils-single", 'a'),
                ("coreutils-debuginfo", 'd'), ("coreutils-debugsource", 'd'),
            ],
        };

        public static readonly int[] LargeEpochs = [10, 12, 32, 99, 100, 1000];
        public static readonly string[] AlphaSuffixes = ["a", "b", "c", "p1", "p2", "rc", "beta", "m1", "h"];
        public static readonly string[] PreReleases = ["rc", "beta", "alpha", "pre", "dev"];
        public static readonly string[] PlusSuffixes = ["git", "ds1", "dfsg", "really2", "local", "git2"];
        public static readonly string[] RustFeatures = ["default", "std", "serde", "alloc", "derive"];

        /// <summary>Arch subpackage suffixes, the common three first: a = arch, n = noarch, o = optional (may go to a second variant).</summary>
        public static readonly (string Suffix, char Kind)[] ArchSuffixes =
        [
            ("-devel", 'o'), ("-libs", 'a'), ("-doc", 'n'), ("-common", 'n'), ("-tools", 'a'), ("-utils", 'a'),
            ("-static", 'o'), ("-data", 'n'), ("-server", 'a'), ("-client", 'a'), ("-plugins", 'a'), ("-tests", 'a'),
            ("-langpacks", 'n'), ("-gui", 'a'), ("-headers", 'o'), ("-examples", 'n'),
        ];

        public static readonly (string Suffix, char Kind)[] NoarchSuffixes =
        [
            ("-doc", 'o'), ("-tests", 'n'), ("-examples", 'n'), ("-bash-completion", 'n'), ("-common", 'n'),
            ("-data", 'n'), ("-javadoc-extra", 'n'), ("-manual", 'n'), ("-contrib", 'n'), ("-extras", 'n'),
            ("-cli", 'n'), ("-plugins", 'n'),
        ];

        public static readonly string[] PythonProjects = Split(
            "urllib3 chardet idna wheel six dateutil pytz jinja2 markupsafe pyyaml cryptography cffi pycparser attrs " +
            "pluggy pytest mock coverage lxml pillow numpy scipy psutil docutils sphinx pygments babel certifi " +
            "charset-normalizer packaging pyparsing tomli toml click rich typing-extensions dbus gobject libselinux " +
            "distro jsonschema referencing rpds-py ruamel-yaml configobj netaddr ply pexpect ptyprocess wcwidth " +
            "decorator requests-toolbelt httpx h11 anyio sniffio trio greenlet sqlalchemy alembic mako flask werkzeug " +
            "itsdangerous blinker gunicorn uvicorn fastapi pydantic annotated-types paramiko bcrypt pynacl invoke " +
            "fabric ansible-core resolvelib boto3 botocore s3transfer jmespath");

        public static readonly string[] Tech = Split(
            "yaml json xml http socket crypto async cache config daemon parser stream tls ssh cli term color time date " +
            "zone path glob regex diff patch archive zip mime mail smtp imap dns net url uuid hash base64 codec audio " +
            "video image font input event loop thread pool queue log trace test mock unit bench fuzz lint sphinx " +
            "markdown template html css sass svg pdf print scan usb pci bluetooth wifi power sensor gpio serial i2c spi " +
            "modbus mqtt amqp sql ldap oauth jwt otp policy rule filter graph tree trie heap sort search index store kv " +
            "blob bucket shard sync watch notify fs mount block disk raid xattr acl cap seccomp cgroup pty tty curses " +
            "widget canvas shader vulkan opengl wayland x11 input gesture touch pen locale intl unicode emoji spell " +
            "hyphen braille speech midi opus vorbis flac mpeg matroska rtp sip xmpp irc matrix torrent proxy tunnel " +
            "vpn wire zmq msgpack cbor protobuf thrift avro arrow parquet csv toml ini dotenv secret vault keyring " +
            "sasl gssapi radius snmp ipmi redfish edac numa hwloc perf probe bpf dwarf elf unwind symbol demangle " +
            "lzma brotli snappy blosc zopfli deflate inflate rsync delta dedup chunk gitlab gerrit forge tick clock " +
            "timer cron retry backoff circuit pipe fifo shm mmap arena slab");

        public static readonly string[] Cpan = Split(
            "IO Compress Data Dumper Text Template File Path Spec Temp HTTP Tiny Net SSLeay DNS XML LibXML Parser Test " +
            "Simple More Warn Deep Differences Moose Moo Class Accessor DateTime Format ISO8601 Strptime JSON PP XS " +
            "Scalar List Util MoreUtils Term ANSIColor ReadLine Encode Locale Maketext Params Validate Module Build " +
            "Runtime Load Sub Exporter Install Pod Usage Storable Digest MD5 SHA Time HiRes Local Getopt Long Unicode " +
            "Normalize Collate Crypt OpenSSL Random URI Mail Email MIME Base64 Archive Zip Tar Config General IniFiles " +
            "Log Log4perl Dispatch Devel Cover Peek Filter Try Carp Clone Memoize Socket IPC Run Open3 Cmd Sys Syslog " +
            "Hostname Math BigInt BigRat GMP Image ExifTool Font TTF CGI Plack Mojo DBI DBD SQLite Pg Cache Tie " +
            "Hash Array Object Pad Role Type Tiny2 Package Stash Variable Magic Future Async Loop Event");

        public static readonly string[] GoOrgs = Split(
            "google golang-jwt spf13 stretchr sirupsen pkg hashicorp coreos containers opencontainers prometheus " +
            "grpc-ecosystem gorilla mattn urfave cespare davecgh pmezard klauspost pierrec ulikunitz go-logr " +
            "go-openapi json-iterator modern-go gogo vishvananda moby docker cilium fsnotify fatih mitchellh " +
            "kr rogpeppe onsi cncf kubernetes-sigs cri-o");

        public static readonly string[] FontVendors = ["google-noto", "dejavu", "liberation", "adobe-source", "ibm-plex", "paratype", "stix", "texlive-tex-gyre", "urw-base35", "lohit"];
        public static readonly string[] FontNames = ["sans", "serif", "mono", "sans-mono", "serif-display", "emoji", "math", "sans-cjk", "naskh", "kufi"];
        public static readonly string[] VersionedBases = ["openmpi", "boost", "lua", "tcl", "llvm", "postgresql", "nodejs", "autoconf", "automake", "mpich", "hdf5", "guile", "openssl", "libicu", "gtkmm", "glibmm", "qt", "wxGTK", "ocaml", "erlang"];
        public static readonly string[] DesktopPrefixes = ["kf6", "qt6", "gnome", "gtk", "xfce4", "mate", "plasma", "kde", "budgie", "lxqt"];
        public static readonly string[] ToolSuffixes = ["utils", "tools", "progs", "ctl", "mon", "ng", "d", "2", "3", "bin"];
    }
}

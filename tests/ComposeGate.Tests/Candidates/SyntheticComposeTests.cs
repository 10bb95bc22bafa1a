using System.Text.Json;
using System.Text.RegularExpressions;
using ComposeGate.Candidates.Demo;

namespace ComposeGate.Tests.Candidates;

public sealed partial class SyntheticComposeTests : IDisposable
{
    private static readonly Lazy<SyntheticCompose> Big = new(() => SyntheticCompose.Generate(new SyntheticComposeOptions { Seed = 11 }));
    private static readonly Lazy<byte[]> BigRpms = new(() => Rpms(Big.Value));

    private readonly string _top = Path.Combine(Path.GetTempPath(), "composegate-synthetic-" + Guid.NewGuid().ToString("N"));

    public SyntheticComposeTests() => Directory.CreateDirectory(_top);

    public void Dispose()
    {
        if (Directory.Exists(_top))
        {
            Directory.Delete(_top, recursive: true);
        }
    }

    [Theory]
    [InlineData("CentOS-Stream", "10", "20261120", "production", 0, "ga", "CentOS-Stream-10-20261120.0")]
    [InlineData("Fedora", "Rawhide", "20261120", "nightly", 0, "ga", "Fedora-Rawhide-20261120.n.0")]
    [InlineData("DP", "1.0", "20161013", "test", 4, "ga", "DP-1.0-20161013.t.4")]
    [InlineData("RHEL", "9.4.0", "20240101", "production", 1, "updates", "RHEL-9.4.0-updates-20240101.1")]
    [InlineData("Fedora", "42", "20261120", "ci", 2, "ga", "Fedora-42-20261120.ci.2")]
    public void CreateComposeId_KnownReleases_MatchesProductmd(string shortName, string version, string date, string type, int respin, string releaseType, string expected)
    {
        Assert.Equal(expected, SyntheticCompose.CreateComposeId(shortName, version, date, type, respin, releaseType));
    }

    [Fact]
    public void Generate_ProductionAndNightly_ComposeIdFollowsOptions()
    {
        var stream = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 20, Respin = 2 });
        var rawhide = SyntheticCompose.Generate(new SyntheticComposeOptions
        {
            ReleaseShort = "Fedora",
            ReleaseVersion = "Rawhide",
            ReleaseName = "Fedora",
            ComposeType = "nightly",
            SourcePackageCount = 20,
        });

        Assert.Equal("CentOS-Stream-10-20261120.2", stream.ComposeId);
        Assert.Equal("Fedora-Rawhide-20261120.n.0", rawhide.ComposeId);
        Assert.Equal(".el10", stream.DistTag);
        Assert.Equal(".fc45", rawhide.DistTag);
        Assert.All(rawhide.Packages, p => Assert.EndsWith(".fc45", p.Evr.Release.Split('_')[0]));
        Assert.Equal("latest-CentOS-Stream-10", stream.DefaultLatestLinkName);
    }

    [Fact]
    public void WriteTo_SmallCompose_ComposeInfoHasDocumentedStructure()
    {
        var compose = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 50 });

        var dir = compose.WriteTo(_top);

        Assert.Equal(Path.Combine(_top, "CentOS-Stream-10-20261120.0"), dir);
        Assert.Equal("CentOS-Stream-10-20261120.0", File.ReadAllText(Path.Combine(dir, "COMPOSE_ID")));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "compose", "metadata", "composeinfo.json")));
        var root = doc.RootElement;
        Assert.Equal("productmd.composeinfo", root.GetProperty("header").GetProperty("type").GetString());
        Assert.Equal("1.2", root.GetProperty("header").GetProperty("version").GetString());
        var payload = root.GetProperty("payload");
        var composeSection = payload.GetProperty("compose");
        Assert.Equal("CentOS-Stream-10-20261120.0", composeSection.GetProperty("id").GetString());
        Assert.Equal("20261120", composeSection.GetProperty("date").GetString());
        Assert.Equal(0, composeSection.GetProperty("respin").GetInt32());
        Assert.Equal("production", composeSection.GetProperty("type").GetString());
        var release = payload.GetProperty("release");
        Assert.Equal("CentOS Stream", release.GetProperty("name").GetString());
        Assert.Equal("10", release.GetProperty("version").GetString());
        Assert.Equal("CentOS-Stream", release.GetProperty("short").GetString());
        Assert.Equal("ga", release.GetProperty("type").GetString());
        Assert.False(release.GetProperty("internal").GetBoolean());
        var variants = payload.GetProperty("variants");
        Assert.Equal(["AppStream", "BaseOS", "CRB"], variants.EnumerateObject().Select(v => v.Name));
        var baseOs = variants.GetProperty("BaseOS");
        Assert.Equal("BaseOS", baseOs.GetProperty("id").GetString());
        Assert.Equal("BaseOS", baseOs.GetProperty("uid").GetString());
        Assert.Equal("BaseOS", baseOs.GetProperty("name").GetString());
        Assert.Equal("variant", baseOs.GetProperty("type").GetString());
        Assert.Equal(["aarch64", "ppc64le", "s390x", "x86_64"], baseOs.GetProperty("arches").EnumerateArray().Select(a => a.GetString()));
        var paths = baseOs.GetProperty("paths");
        Assert.Equal("BaseOS/x86_64/os", paths.GetProperty("os_tree").GetProperty("x86_64").GetString());
        Assert.Equal("BaseOS/x86_64/os/Packages", paths.GetProperty("packages").GetProperty("x86_64").GetString());
        Assert.Equal("BaseOS/x86_64/os", paths.GetProperty("repository").GetProperty("x86_64").GetString());
        Assert.Equal("BaseOS/s390x/debug/tree", paths.GetProperty("debug_tree").GetProperty("s390x").GetString());
        Assert.Equal("BaseOS/s390x/debug/tree/Packages", paths.GetProperty("debug_packages").GetProperty("s390x").GetString());
        Assert.Equal("BaseOS/s390x/debug/tree", paths.GetProperty("debug_repository").GetProperty("s390x").GetString());
        Assert.Equal("BaseOS/source/tree", paths.GetProperty("source_tree").GetProperty("aarch64").GetString());
        Assert.Equal("BaseOS/source/tree/Packages", paths.GetProperty("source_packages").GetProperty("aarch64").GetString());
        Assert.Equal("BaseOS/source/tree", paths.GetProperty("source_repository").GetProperty("aarch64").GetString());
    }

    [Fact]
    public void WriteTo_SmallCompose_RpmsHasDocumentedStructure()
    {
        var compose = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 200 });

        var dir = compose.WriteTo(_top);

        var metadata = Path.Combine(dir, "compose", "metadata");
        using var info = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(metadata, "composeinfo.json")));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(metadata, "rpms.json")));
        var root = doc.RootElement;
        Assert.Equal(["header", "payload"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("productmd.rpms", root.GetProperty("header").GetProperty("type").GetString());
        Assert.Equal("1.2", root.GetProperty("header").GetProperty("version").GetString());
        var payload = root.GetProperty("payload");
        Assert.Equal(["compose", "rpms"], payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            info.RootElement.GetProperty("payload").GetProperty("compose").GetRawText(),
            payload.GetProperty("compose").GetRawText());
        var entries = Entries(doc).ToList();
        Assert.Equal(compose.RpmEntryCount, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Contains(e.Variant, compose.Variants);
            Assert.Contains(e.Arch, compose.Arches);
            Assert.Equal(["category", "path", "sigkey"], e.Entry.EnumerateObject().Select(p => p.Name));
            var sigkey = e.Entry.GetProperty("sigkey");
            Assert.True(sigkey.ValueKind == JsonValueKind.Null || SigkeyRegex().IsMatch(sigkey.GetString()!), sigkey.GetRawText());
        });
        // Keys sorted by code point at every level, as productmd writes them.
        var rpms = payload.GetProperty("rpms");
        AssertSorted(rpms.EnumerateObject().Select(v => v.Name));
        foreach (var variant in rpms.EnumerateObject())
        {
            AssertSorted(variant.Value.EnumerateObject().Select(a => a.Name));
            foreach (var arch in variant.Value.EnumerateObject())
            {
                AssertSorted(arch.Value.EnumerateObject().Select(s => s.Name));
                foreach (var srpm in arch.Value.EnumerateObject())
                {
                    AssertSorted(srpm.Value.EnumerateObject().Select(r => r.Name));
                }
            }
        }
    }

    [Fact]
    public void WriteRpms_TenThousandPackages_NevraKeysHaveExplicitEpochAndSrpmKeysEndInSrc()
    {
        using var doc = JsonDocument.Parse(BigRpms.Value);

        foreach (var (_, arch, srpm, rpm, _) in Entries(doc))
        {
            var source = NevraRegex().Match(srpm);
            Assert.True(source.Success, srpm);
            Assert.Equal("src", source.Groups["arch"].Value);
            Assert.EndsWith(".src", srpm);
            var binary = NevraRegex().Match(rpm);
            Assert.True(binary.Success, rpm);
            Assert.Contains(binary.Groups["arch"].Value, new[] { arch, "noarch", "src" });
            Assert.Equal(source.Groups["evr"].Value, binary.Groups["evr"].Value);
        }
    }

    [Fact]
    public void WriteRpms_TenThousandPackages_SourceCategoryOnlyForSrcAndPathsFollowLayout()
    {
        using var doc = JsonDocument.Parse(BigRpms.Value);

        var categories = new HashSet<string>();
        foreach (var (variant, arch, srpm, rpm, entry) in Entries(doc))
        {
            var category = entry.GetProperty("category").GetString()!;
            var path = entry.GetProperty("path").GetString()!;
            categories.Add(category);
            var m = NevraRegex().Match(rpm);
            var name = m.Groups["name"].Value;
            var file = $"{name}-{m.Groups["version"].Value}-{m.Groups["release"].Value}.{m.Groups["arch"].Value}.rpm";
            var letter = char.ToLowerInvariant(name[0]);
            Assert.Equal(rpm.EndsWith(".src", StringComparison.Ordinal), category == "source");
            Assert.Equal(rpm == srpm, category == "source");
            var expected = category switch
            {
                "source" => $"{variant}/source/tree/Packages/{letter}/{file}",
                "debug" => $"{variant}/{arch}/debug/tree/Packages/{letter}/{file}",
                "binary" => $"{variant}/{arch}/os/Packages/{letter}/{file}",
                _ => throw new InvalidOperationException(category),
            };
            Assert.Equal(expected, path);
            if (category == "debug")
            {
                Assert.Matches("-debug(info|source)$", name);
            }
        }
        Assert.Equal(["binary", "debug", "source"], categories.Order());
    }

    [Fact]
    public void Generate_TenThousandPackages_RpmEntryCountNearSixtyThousand()
    {
        using var doc = JsonDocument.Parse(BigRpms.Value);

        var counted = Entries(doc).Count();

        Assert.Equal(Big.Value.RpmEntryCount, counted);
        Assert.InRange(counted, 55_000, 65_000);
        Assert.Equal(10_000, Big.Value.Packages.Count);
        Assert.Equal(10_000, Big.Value.Packages.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Big.Value.Packages.Sum(p => p.RpmEntryCount), counted);
    }

    [Fact]
    public void Generate_TenThousandPackages_NamesAndEvrsIncludeTrickyForms()
    {
        var packages = Big.Value.Packages;
        var names = packages.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var versions = packages.Select(p => p.Evr.Version).ToList();

        Assert.Subset(names, new HashSet<string> { "bash", "glibc", "kernel", "gcc", "python3.12", "perl-IO-Compress", "openmpi-1.10" });
        Assert.Contains(names, n => n.Contains("++", StringComparison.Ordinal));
        Assert.Contains(names, n => Regex.IsMatch(n, @"-\d+\.\d+$"));
        Assert.Contains(names, n => n.StartsWith("lib", StringComparison.Ordinal));
        Assert.Contains(packages, p => p.Binaries.Any(b => b.Name == "gcc-c++"));
        Assert.Contains(packages, p => p.Name.StartsWith("lib", StringComparison.Ordinal) && p.Binaries.Any(b => b.Name == p.Name + "-devel"));
        Assert.Contains(packages, p => p.Evr.Epoch == 1);
        Assert.Contains(packages, p => p.Evr.Epoch == 2);
        Assert.Contains(packages, p => p.Evr.Epoch >= 10);
        Assert.Contains(versions, v => Regex.IsMatch(v, @"^\d[\d.]*~[a-z]+\d*$"));
        Assert.Contains(versions, v => Regex.IsMatch(v, @"\^\d{8}git[0-9a-f]{7}$"));
        Assert.Contains(versions, v => Regex.IsMatch(v, @"(^|\D)0\d"));
        Assert.Contains(versions, v => v.Contains('_'));
        Assert.Contains(versions, v => v.Contains('+'));
        Assert.Contains(versions, v => Regex.IsMatch(v, @"\d[a-z]+\d*$"));
        Assert.Contains(versions, v => v.Count(c => c == '.') >= 4);
        Assert.Contains(packages, p => p.Evr.Release.EndsWith(".el10", StringComparison.Ordinal));
        Assert.All(packages, p => Assert.InRange(p.Binaries.Count, 1, 12));
        Assert.All(packages, p => Assert.InRange(p.Variants.Count, 1, 2));
        Assert.Contains(packages, p => p.Variants.Count == 2);
        Assert.Contains(packages, p => p.Binaries.Any(b => b.Noarch));
        Assert.Contains(packages, p => p.Binaries.Any(b => b.Debug));
        Assert.Contains(packages, p => p.Sigkey is null);
        Assert.Equal(2, packages.Select(p => p.Sigkey).OfType<string>().Distinct().Count());
        Assert.All(Big.Value.SigningKeys, k => Assert.Matches(SigkeyRegex(), k));
        // A binary name belongs to one source package.
        var binaries = packages.SelectMany(p => p.Binaries).Select(b => b.Name).ToList();
        Assert.Equal(binaries.Count, binaries.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void WriteRpms_NoarchBinary_ListedUnderEveryArchOfItsPackage()
    {
        var compose = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 300, Seed = 3 });
        using var doc = JsonDocument.Parse(Rpms(compose));
        var entries = Entries(doc).ToList();
        var package = compose.Packages.First(p => p.Arches.Count == 4 && p.Binaries.Any(b => b.Noarch));
        var noarch = package.Binaries.First(b => b.Noarch);
        var key = $"{noarch.Name}-{package.Evr}.noarch";

        var arches = entries.Where(e => e.Rpm == key).Select(e => e.Arch).Order(StringComparer.Ordinal);

        Assert.Equal(["aarch64", "ppc64le", "s390x", "x86_64"], arches);
        Assert.Equal(4 * package.Variants.Count, entries.Count(e => e.Rpm == package.SrpmNevra));
    }

    [Fact]
    public void WriteTo_SameSeedTwice_FilesByteIdentical()
    {
        var options = new SyntheticComposeOptions { SourcePackageCount = 3_000, Seed = 77 };
        var first = SyntheticCompose.Generate(options).WriteTo(Path.Combine(_top, "a"));
        var second = SyntheticCompose.Generate(options).WriteTo(Path.Combine(_top, "b"));
        var other = SyntheticCompose.Generate(options with { Seed = 78 }).WriteTo(Path.Combine(_top, "c"));

        foreach (var file in new[] { "COMPOSE_ID", "STATUS", "compose/metadata/composeinfo.json", "compose/metadata/rpms.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));
        }
        Assert.NotEqual(
            File.ReadAllBytes(Path.Combine(first, "compose/metadata/rpms.json")),
            File.ReadAllBytes(Path.Combine(other, "compose/metadata/rpms.json")));
    }

    [Fact]
    public void Next_SameSeed_Deterministic()
    {
        var options = new NextOptions { Upgraded = 30, Downgraded = 5, Added = 7, Removed = 6, RpmEqual = 8 };

        var first = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 1_000, Seed = 5 }).Next(options);
        var second = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 1_000, Seed = 5 }).Next(options);

        Assert.Equal(Rpms(first), Rpms(second));
        Assert.Equal(first.Changes, second.Changes);
    }

    [Fact]
    public void WriteTo_DefaultAndDoomed_StatusFileHasOneWordAndNewline()
    {
        var compose = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 10 });

        var finished = compose.WriteTo(Path.Combine(_top, "ok"));
        var doomed = compose.WriteTo(Path.Combine(_top, "bad"), "DOOMED");

        Assert.Equal("FINISHED\n", File.ReadAllText(Path.Combine(finished, "STATUS")));
        Assert.Equal("DOOMED\n", File.ReadAllText(Path.Combine(doomed, "STATUS")));
        Assert.Throws<ArgumentException>(() => compose.WriteTo(_top, "NOT FINISHED"));
    }

    [Fact]
    public void Next_RequestedCounts_ProducesExactlyThoseVerdicts()
    {
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 2_000, Seed = 21 });

        var next = previous.Next(new NextOptions { Upgraded = 120, Downgraded = 40, Added = 25, Removed = 30, RpmEqual = 50 });

        var counts = next.ExpectedVerdicts.Values.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(120, counts[SyntheticVerdict.Upgraded]);
        Assert.Equal(40, counts[SyntheticVerdict.Downgraded]);
        Assert.Equal(25, counts[SyntheticVerdict.Added]);
        Assert.Equal(30, counts[SyntheticVerdict.Removed]);
        Assert.Equal(2_000 - 120 - 40 - 30, counts[SyntheticVerdict.Unchanged]);
        Assert.Equal(2_000 - 30 + 25, next.Packages.Count);
        Assert.Equal(50, next.Changes.Count(c => c.Verdict == SyntheticVerdict.Unchanged));
        Assert.Equal(previous.ComposeId, next.PreviousComposeId);
        var names = previous.Packages.Select(p => p.Name).Union(next.Packages.Select(p => p.Name)).Order(StringComparer.Ordinal);
        Assert.Equal(names, next.ExpectedVerdicts.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Next_ExpectedVerdicts_AgreeWithRpmComparisonOfWrittenFiles()
    {
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 3_000, Seed = 8 });
        var next = previous.Next(new NextOptions { Upgraded = 300, Downgraded = 120, Added = 40, Removed = 35, RpmEqual = 150 });
        var third = next.Next(new NextOptions { Respin = true, Upgraded = 200, Downgraded = 80, Added = 10, Removed = 10, RpmEqual = 100 });

        foreach (var (before, after) in new[] { (previous, next), (next, third) })
        {
            using var oldDoc = JsonDocument.Parse(Rpms(before));
            using var newDoc = JsonDocument.Parse(Rpms(after));
            var oldEvrs = SourceEvrs(oldDoc);
            var newEvrs = SourceEvrs(newDoc);
            var actual = new Dictionary<string, SyntheticVerdict>(StringComparer.Ordinal);
            foreach (var name in oldEvrs.Keys.Union(newEvrs.Keys))
            {
                actual[name] = (oldEvrs.TryGetValue(name, out var o), newEvrs.TryGetValue(name, out var n)) switch
                {
                    (false, _) => SyntheticVerdict.Added,
                    (_, false) => SyntheticVerdict.Removed,
                    _ => Math.Sign(CompareEvr(n!, o!)) switch
                    {
                        1 => SyntheticVerdict.Upgraded,
                        -1 => SyntheticVerdict.Downgraded,
                        _ => SyntheticVerdict.Unchanged,
                    },
                };
            }

            Assert.Equal(after.ExpectedVerdicts.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Next_ChangedPackages_EvrDiffersAsTheVerdictSays()
    {
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 2_000, Seed = 4 });

        var next = previous.Next(new NextOptions { Upgraded = 200, Downgraded = 80, Added = 5, Removed = 5, RpmEqual = 100 });

        var before = previous.Packages.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var after = next.Packages.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var touched = next.Changes.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var change in next.Changes)
        {
            switch (change.Verdict)
            {
                case SyntheticVerdict.Upgraded:
                    Assert.NotEqual(change.Before, change.After);
                    Assert.True(CompareEvr(change.After!, change.Before!) > 0, $"{change.Kind}: {change.Before} → {change.After}");
                    break;
                case SyntheticVerdict.Downgraded:
                    Assert.True(CompareEvr(change.After!, change.Before!) < 0, $"{change.Kind}: {change.Before} → {change.After}");
                    break;
                case SyntheticVerdict.Unchanged:
                    // Rewritten but rpm-equal: the strings differ, rpm says equal.
                    Assert.NotEqual(change.Before!.ToString(), change.After!.ToString());
                    Assert.Equal(0, CompareEvr(change.After, change.Before));
                    break;
                case SyntheticVerdict.Added:
                    Assert.False(before.ContainsKey(change.Name));
                    Assert.Equal(change.After, after[change.Name].Evr);
                    break;
                case SyntheticVerdict.Removed:
                    Assert.False(after.ContainsKey(change.Name));
                    break;
            }
            if (change.After is not null)
            {
                Assert.Equal(change.After, after[change.Name].Evr);
            }
            if (change.Before is not null)
            {
                Assert.Equal(change.Before, before[change.Name].Evr);
            }
        }
        // Untouched packages are the very same packages.
        Assert.All(after.Values.Where(p => !touched.Contains(p.Name)), p => Assert.Same(before[p.Name], p));
    }

    [Fact]
    public void Next_ManyChanges_EveryChangeKindOccurs()
    {
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 3_000, Seed = 6 });

        var next = previous.Next(new NextOptions { Upgraded = 60, Downgraded = 40, Added = 3, Removed = 3, RpmEqual = 20 });

        var kinds = next.Changes.Select(c => c.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<SyntheticChangeKind>().Where(k => k != SyntheticChangeKind.None).Order(), kinds.Order());
        var tilde = next.Changes.First(c => c.Kind == SyntheticChangeKind.TildeToFinal);
        Assert.Equal(tilde.Before!.Version[..tilde.Before.Version.IndexOf('~')], tilde.After!.Version);
        var epoch = next.Changes.First(c => c.Kind == SyntheticChangeKind.EpochBump);
        Assert.Equal(epoch.Before!.Epoch + 1, epoch.After!.Epoch);
        var lowered = next.Changes.First(c => c.Kind == SyntheticChangeKind.VersionLowered);
        Assert.Equal(lowered.Before!.Epoch, lowered.After!.Epoch);
    }

    [Fact]
    public void Next_Default_NextDayRespinZero()
    {
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 100, Date = "20261231", Respin = 3 });

        var next = previous.Next(new NextOptions { Upgraded = 1, Downgraded = 1, Added = 1, Removed = 1, RpmEqual = 1 });

        Assert.Equal("20270101", next.Date);
        Assert.Equal(0, next.Respin);
        Assert.Equal("CentOS-Stream-10-20270101.0", next.ComposeId);
    }

    [Fact]
    public void Next_Respin_SameDateRespinPlusOne()
    {
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 100, ComposeType = "nightly", ReleaseShort = "Fedora", ReleaseVersion = "Rawhide", ReleaseName = "Fedora" });

        var next = previous.Next(new NextOptions { Respin = true });

        Assert.Equal("Fedora-Rawhide-20261120.n.1", next.ComposeId);
    }

    [Fact]
    public void Next_MoreChangesThanPackages_Throws()
    {
        var previous = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 10 });

        Assert.Throws<ArgumentException>(() => previous.Next(new NextOptions { Upgraded = 6, Removed = 5, Downgraded = 0, RpmEqual = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => previous.Next(new NextOptions { Added = -1 }));
    }

    [Fact]
    public void WriteComposeInfo_MemoryStream_LeavesStreamOpenAndParses()
    {
        var compose = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 5 });
        using var stream = new MemoryStream();

        compose.WriteComposeInfo(stream);
        stream.Position = 0;

        using var doc = JsonDocument.Parse(stream);
        Assert.Equal(compose.ComposeId, doc.RootElement.GetProperty("payload").GetProperty("compose").GetProperty("id").GetString());
        Assert.True(stream.CanWrite);
    }

    [Fact]
    public void UpdateLatestLink_TwoComposes_PointsToNewest()
    {
        var first = SyntheticCompose.Generate(new SyntheticComposeOptions { SourcePackageCount = 10 });
        var second = first.Next(new NextOptions { Upgraded = 1, Downgraded = 0, Added = 0, Removed = 0, RpmEqual = 0 });
        first.WriteTo(_top);
        second.WriteTo(_top);

        first.UpdateLatestLink(_top);
        var link = second.UpdateLatestLink(_top);

        Assert.Equal(Path.Combine(_top, "latest-CentOS-Stream-10"), link);
        Assert.Equal(second.ComposeId, new DirectoryInfo(link).LinkTarget);
        Assert.Equal(second.ComposeId, File.ReadAllText(Path.Combine(link, "COMPOSE_ID")));
    }

    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0", "1.0^", -1)]
    [InlineData("1.0^git1", "1.01", -1)]
    [InlineData("1.0^git1~pre", "1.0^git1", -1)]
    [InlineData("10.0001", "10.1", 0)]
    [InlineData("2_0", "2.0", 0)]
    [InlineData("a+", "a_", 0)]
    [InlineData("xyz.4", "8", -1)]
    [InlineData("2.0.1", "2.0", 1)]
    [InlineData("1.0a", "1.0", 1)]
    [InlineData("1.0", "1.0.", 0)]
    [InlineData("Z", "a", -1)]
    public void RpmVerCmp_DocumentedExamples_TestOracleAgrees(string a, string b, int expected)
    {
        Assert.Equal(expected, RpmVerCmp(a, b));
        Assert.Equal(-expected, RpmVerCmp(b, a));
    }

    // ---- helpers ----

    private static byte[] Rpms(SyntheticCompose compose)
    {
        using var stream = new MemoryStream();
        compose.WriteRpms(stream);
        return stream.ToArray();
    }

    private static IEnumerable<(string Variant, string Arch, string Srpm, string Rpm, JsonElement Entry)> Entries(JsonDocument doc)
    {
        foreach (var variant in doc.RootElement.GetProperty("payload").GetProperty("rpms").EnumerateObject())
        {
            foreach (var arch in variant.Value.EnumerateObject())
            {
                foreach (var srpm in arch.Value.EnumerateObject())
                {
                    foreach (var rpm in srpm.Value.EnumerateObject())
                    {
                        yield return (variant.Name, arch.Name, srpm.Name, rpm.Name, rpm.Value);
                    }
                }
            }
        }
    }

    /// <summary>name → EVR of every srpm key, the way a diff engine would read rpms.json.</summary>
    private static Dictionary<string, SyntheticEvr> SourceEvrs(JsonDocument doc)
    {
        var evrs = new Dictionary<string, SyntheticEvr>(StringComparer.Ordinal);
        foreach (var (_, _, srpm, _, _) in Entries(doc))
        {
            var m = NevraRegex().Match(srpm);
            evrs[m.Groups["name"].Value] = new SyntheticEvr(int.Parse(m.Groups["epoch"].Value), m.Groups["version"].Value, m.Groups["release"].Value);
        }
        return evrs;
    }

    private static void AssertSorted(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        Assert.Equal(list.Order(StringComparer.Ordinal), list);
    }

    private static int CompareEvr(SyntheticEvr a, SyntheticEvr b)
    {
        var result = a.Epoch.CompareTo(b.Epoch);
        if (result == 0)
        {
            result = RpmVerCmp(a.Version, b.Version);
        }
        return result == 0 ? RpmVerCmp(a.Release, b.Release) : Math.Sign(result);
    }

    /// <summary>The test's own rpmvercmp, written from rpm's algorithm (see shared/formats/rpm.md) as an oracle.</summary>
    private static int RpmVerCmp(string a, string b)
    {
        if (a == b)
        {
            return 0;
        }
        var one = a.AsSpan();
        var two = b.AsSpan();
        static bool Separator(char c) => !char.IsAsciiLetterOrDigit(c) && c != '~' && c != '^';
        while (!one.IsEmpty || !two.IsEmpty)
        {
            while (!one.IsEmpty && Separator(one[0]))
            {
                one = one[1..];
            }
            while (!two.IsEmpty && Separator(two[0]))
            {
                two = two[1..];
            }
            if (one.StartsWith("~") || two.StartsWith("~"))
            {
                if (!one.StartsWith("~"))
                {
                    return 1;
                }
                if (!two.StartsWith("~"))
                {
                    return -1;
                }
                one = one[1..];
                two = two[1..];
                continue;
            }
            if (one.StartsWith("^") || two.StartsWith("^"))
            {
                if (one.IsEmpty)
                {
                    return -1;
                }
                if (two.IsEmpty)
                {
                    return 1;
                }
                if (!one.StartsWith("^"))
                {
                    return 1;
                }
                if (!two.StartsWith("^"))
                {
                    return -1;
                }
                one = one[1..];
                two = two[1..];
                continue;
            }
            if (one.IsEmpty || two.IsEmpty)
            {
                break;
            }
            var numeric = char.IsAsciiDigit(one[0]);
            var lengthOne = numeric ? CountWhile(one, char.IsAsciiDigit) : CountWhile(one, char.IsAsciiLetter);
            var lengthTwo = numeric ? CountWhile(two, char.IsAsciiDigit) : CountWhile(two, char.IsAsciiLetter);
            if (lengthTwo == 0)
            {
                return numeric ? 1 : -1;
            }
            var segmentOne = one[..lengthOne];
            var segmentTwo = two[..lengthTwo];
            one = one[lengthOne..];
            two = two[lengthTwo..];
            if (numeric)
            {
                segmentOne = segmentOne.TrimStart('0');
                segmentTwo = segmentTwo.TrimStart('0');
                if (segmentOne.Length != segmentTwo.Length)
                {
                    return segmentOne.Length > segmentTwo.Length ? 1 : -1;
                }
            }
            var order = Math.Sign(segmentOne.CompareTo(segmentTwo, StringComparison.Ordinal));
            if (order != 0)
            {
                return order;
            }
        }
        return one.IsEmpty && two.IsEmpty ? 0 : one.IsEmpty ? -1 : 1;
    }

    private static int CountWhile(ReadOnlySpan<char> span, Func<char, bool> predicate)
    {
        var n = 0;
        while (n < span.Length && predicate(span[n]))
        {
            n++;
        }
        return n;
    }

    /// <summary>productmd's NEVRA shape with the epoch required: name-epoch:version-release.arch.</summary>
    [GeneratedRegex(@"^(?<name>.+)-(?<evr>(?<epoch>\d+):(?<version>[^-:]+)-(?<release>[^-:]+))\.(?<arch>[^.\-:]+)$")]
    private static partial Regex NevraRegex();

    [GeneratedRegex("^[0-9a-f]{8}$")]
    private static partial Regex SigkeyRegex();
}

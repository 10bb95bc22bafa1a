using System.Text;
using System.Text.Json;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>A source package of a test compose: its EVR and the binary RPMs built from it.</summary>
public sealed record TestPackage(string Name, string Evr, params string[] Binaries);

/// <summary>
/// Small productmd composes written by the tests themselves: composeinfo.json and rpms.json (header 1.2),
/// as a request body or in pungi's published layout with a STATUS file.
/// </summary>
public sealed class TestCompose(string id, IReadOnlyList<TestPackage> packages)
{
    public static readonly string[] Arches = ["x86_64", "aarch64"];

    public string Id { get; } = id;
    public IReadOnlyList<TestPackage> Packages { get; } = packages;
    public string Variant { get; init; } = "BaseOS";

    public int RpmCount => Packages.Sum(p => (p.Binaries.Length + 1) * Arches.Length);

    public string ComposeInfoJson()
    {
        var date = System.Text.RegularExpressions.Regex.Match(Id, @"\d{8}").Value;
        return JsonSerializer.Serialize(new
        {
            header = new { type = "productmd.composeinfo", version = "1.2" },
            payload = new
            {
                compose = new { id = Id, date, respin = 0, type = Id.Contains(".n.") ? "nightly" : "production" },
                release = new { name = "CentOS Stream", @short = "CentOS-Stream", version = "10", type = "ga", @internal = false },
                variants = new Dictionary<string, object> { [Variant] = new { id = Variant, uid = Variant, name = Variant, type = "variant", arches = Arches } },
            },
        });
    }

    public string RpmsJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("header");
            json.WriteString("type", "productmd.rpms");
            json.WriteString("version", "1.2");
            json.WriteEndObject();
            json.WriteStartObject("payload");
            json.WriteStartObject("compose");
            json.WriteString("id", Id);
            json.WriteEndObject();
            json.WriteStartObject("rpms");
            json.WriteStartObject(Variant);
            foreach (var arch in Arches)
            {
                json.WriteStartObject(arch);
                foreach (var package in Packages)
                {
                    var srpm = $"{package.Name}-{package.Evr}.src";
                    json.WriteStartObject(srpm);
                    WriteRpm(json, srpm, $"{Variant}/source/tree/Packages/{package.Name[0]}/{package.Name}.src.rpm", "source");
                    foreach (var binary in package.Binaries)
                    {
                        WriteRpm(json, $"{binary}-{package.Evr}.{arch}", $"{Variant}/{arch}/os/Packages/{binary[0]}/{binary}.{arch}.rpm", "binary");
                    }
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The inline form of <c>POST …/candidates</c>.</summary>
    public string Body() => $"{{\"composeinfo\":{ComposeInfoJson()},\"rpms\":{RpmsJson()}}}";

    public StringContent Content() => new(Body(), Encoding.UTF8, "application/json");

    /// <summary>Publishes the compose as pungi does under <paramref name="topDir"/> and returns its directory.</summary>
    public string WriteTo(string topDir, string status = "FINISHED")
    {
        var dir = Path.Combine(topDir, Id);
        Directory.CreateDirectory(Path.Combine(dir, "compose", "metadata"));
        File.WriteAllText(Path.Combine(dir, "STATUS"), status + "\n");
        File.WriteAllText(Path.Combine(dir, "COMPOSE_ID"), Id);
        File.WriteAllText(Path.Combine(dir, "compose", "metadata", "composeinfo.json"), ComposeInfoJson());
        File.WriteAllText(Path.Combine(dir, "compose", "metadata", "rpms.json"), RpmsJson());
        return dir;
    }

    private static void WriteRpm(Utf8JsonWriter json, string nevra, string path, string category)
    {
        json.WriteStartObject(nevra);
        json.WriteString("category", category);
        json.WriteString("path", path);
        json.WriteString("sigkey", "8483c65d");
        json.WriteEndObject();
    }
}

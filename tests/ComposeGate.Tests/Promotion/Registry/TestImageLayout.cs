using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ComposeGate.Web.Promotion.Registry;

namespace ComposeGate.Tests.Promotion.Registry;

/// <summary>
/// Writes a minimal OCI image layout by hand (image-spec image-layout.md): one gzip'd tar layer holding
/// <c>hello.txt</c>, an image config and manifest, and for multi-arch an index over linux/amd64 and linux/arm64/v8.
/// The top manifest is named <see cref="RefName"/> in <c>index.json</c>, so skopeo reads it as <c>oci:dir:image</c>.
/// </summary>
internal static class TestImageLayout
{
    public const string RefName = "image";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Descriptor(
        [property: JsonPropertyName("mediaType")] string MediaType,
        [property: JsonPropertyName("digest")] string Digest,
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("platform")] Platform? Platform = null,
        [property: JsonPropertyName("annotations")] Dictionary<string, string>? Annotations = null);

    private sealed record Platform(
        [property: JsonPropertyName("os")] string Os,
        [property: JsonPropertyName("architecture")] string Architecture,
        [property: JsonPropertyName("variant")] string? Variant = null);

    public static void Write(string directory, string content, bool multiArch)
    {
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        Descriptor top;
        if (multiArch)
        {
            var amd64 = Image(directory, content + " (amd64)", new Platform("linux", "amd64"));
            var arm64 = Image(directory, content + " (arm64)", new Platform("linux", "arm64", "v8"));
            top = Blob(directory, RegistryClient.OciIndex, new
            {
                schemaVersion = 2,
                mediaType = RegistryClient.OciIndex,
                manifests = new[] { amd64, arm64 },
            });
        }
        else
        {
            top = Image(directory, content, new Platform("linux", "amd64")) with { Platform = null };
        }
        var index = new
        {
            schemaVersion = 2,
            manifests = new[] { top with { Annotations = new() { ["org.opencontainers.image.ref.name"] = RefName } } },
        };
        File.WriteAllBytes(Path.Combine(directory, "index.json"), JsonSerializer.SerializeToUtf8Bytes(index, Json));
    }

    /// <summary>Layer, config and manifest of one image; the descriptor of the manifest, with its platform.</summary>
    private static Descriptor Image(string directory, string content, Platform platform)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var data = Encoding.UTF8.GetBytes(content + "\n");
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream(data),
                ModificationTime = Epoch,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            });
        }
        using var gzip = new MemoryStream();
        using (var compressor = new GZipStream(gzip, CompressionLevel.Optimal, leaveOpen: true))
        {
            compressor.Write(tar.ToArray());
        }
        var layer = Blob(directory, "application/vnd.oci.image.layer.v1.tar+gzip", gzip.ToArray());
        var config = Blob(directory, "application/vnd.oci.image.config.v1+json", new
        {
            created = Epoch,
            architecture = platform.Architecture,
            os = platform.Os,
            variant = platform.Variant,
            config = new { Cmd = new[] { "/bin/cat", "/hello.txt" } },
            rootfs = new { type = "layers", diff_ids = new[] { "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar.ToArray())) } },
        });
        var manifest = Blob(directory, RegistryClient.OciManifest, new
        {
            schemaVersion = 2,
            mediaType = RegistryClient.OciManifest,
            config,
            layers = new[] { layer },
        });
        return manifest with { Platform = platform };
    }

    private static Descriptor Blob(string directory, string mediaType, object json) =>
        Blob(directory, mediaType, JsonSerializer.SerializeToUtf8Bytes(json, Json));

    private static Descriptor Blob(string directory, string mediaType, byte[] bytes)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", hex), bytes);
        return new Descriptor(mediaType, "sha256:" + hex, bytes.Length);
    }
}

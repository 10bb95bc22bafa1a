using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;

namespace ComposeGate.BrowserTests.Shell;

/// <summary>
/// What <c>dotnet publish</c> ships and the published app serves in Production: Blazor's own script and ours under
/// fingerprinted URLs (the content's hash in the name), with Brotli and gzip copies made at publish time, cached for a
/// year. On disk the files keep their plain names; the fingerprinted routes live in the endpoints manifest beside the app.
/// </summary>
[Collection(PublishedCollection.Name)]
[Trait("Category", "Slow")]
public sealed class PublishedAssetsTests(PublishedApp app)
{
    public static TheoryData<string> PageAssets =>
        ["_framework/blazor.web.js", "css/composegate.css", "js/composegate.js", "Components/Layout/ReconnectModal.razor.js"];

    [Theory]
    [MemberData(nameof(PageAssets))]
    public void Publish_PageAsset_HasAFingerprintedRouteAndBrotliAndGzipCopies(string asset)
    {
        var (route, fingerprint, integrity) = FingerprintedEndpoint(asset);
        Assert.Matches("^[a-z0-9]{10}$", fingerprint);
        Assert.Equal(asset, route.Replace($".{fingerprint}.", ".", StringComparison.Ordinal));
        var content = File.ReadAllBytes(Path.Combine(app.WebRoot, asset));
        Assert.Equal($"sha256-{Convert.ToBase64String(SHA256.HashData(content))}", integrity);
        Assert.Equal(content, Decode("br", File.ReadAllBytes(Path.Combine(app.WebRoot, asset + ".br"))));
        Assert.Equal(content, Decode("gzip", File.ReadAllBytes(Path.Combine(app.WebRoot, asset + ".gz"))));
    }

    [Fact]
    public async Task SignInPage_PublishedAppInProduction_LoadsEachAssetFingerprintedCompressedAndCachedForAYear()
    {
        using var server = await app.StartAsync(app.NewDataDir(), AppProcess.FreePort());
        using var http = new HttpClient { BaseAddress = server.Address };
        var page = await http.GetStringAsync("/Account/Login");

        foreach (var asset in PageAssets)
        {
            var (route, _, _) = FingerprintedEndpoint(asset);
            Assert.Contains($"\"{route}\"", page, StringComparison.Ordinal);
            var content = File.ReadAllBytes(Path.Combine(app.WebRoot, asset));
            foreach (var encoding in new[] { "br", "gzip" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, route);
                request.Headers.AcceptEncoding.Add(new(encoding));
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
                Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl?.MaxAge);
                Assert.Contains(response.Headers.CacheControl!.Extensions, e => e.Name == "immutable");
                Assert.Equal(content, Decode(encoding, await response.Content.ReadAsByteArrayAsync()));
            }
        }
    }

    /// <summary>The endpoint the page uses for <paramref name="asset"/>, from the publish's endpoints manifest.</summary>
    private (string Route, string Fingerprint, string Integrity) FingerprintedEndpoint(string asset)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(app.Folder, "ComposeGate.Web.staticwebassets.endpoints.json")));
        foreach (var endpoint in manifest.RootElement.GetProperty("Endpoints").EnumerateArray())
        {
            var properties = endpoint.GetProperty("EndpointProperties").EnumerateArray()
                .ToDictionary(p => p.GetProperty("Name").GetString()!, p => p.GetProperty("Value").GetString()!);
            if (endpoint.GetProperty("AssetFile").GetString() == asset && properties.GetValueOrDefault("label") == asset
                && properties.TryGetValue("fingerprint", out var fingerprint))
            {
                return (endpoint.GetProperty("Route").GetString()!, fingerprint, properties["integrity"]);
            }
        }
        throw new Xunit.Sdk.XunitException($"The publish has no fingerprinted endpoint for {asset}.");
    }

    private static byte[] Decode(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }
}

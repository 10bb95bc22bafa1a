using System.Net;
using ComposeGate.Web.Promotion.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Promotion.Registry;

/// <summary>Resolve and retag against Debian's real registry, images pushed by skopeo.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryClientTests(RegistryFixture registry)
{
    private const string UnknownDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    private string Image(string repository) => $"{registry.Address}/{repository}";

    [Fact]
    public async Task ResolveAsync_Tag_ReturnsTheDigestTheRegistryServes()
    {
        var repository = RegistryFixture.NewRepository();
        var pushed = await registry.PushImageAsync(repository, "main", "hello from main");

        var manifest = await registry.CreateClient().ResolveAsync(Image(repository), "main", CancellationToken.None);

        Assert.Equal(pushed, manifest.Digest);
        Assert.Equal(RegistryClient.OciManifest, manifest.MediaType);
        Assert.Equal(["linux/amd64"], manifest.Platforms);
        Assert.True(manifest.Size > 100, $"size {manifest.Size}");
    }

    [Fact]
    public async Task ResolveAsync_OciIndex_ListsEveryPlatform()
    {
        var repository = RegistryFixture.NewRepository();
        var pushed = await registry.PushImageAsync(repository, "main", "multi-arch", TestImageFormat.OciIndex);

        var manifest = await registry.CreateClient().ResolveAsync(Image(repository), "main", CancellationToken.None);

        Assert.Equal(pushed, manifest.Digest);
        Assert.Equal(RegistryClient.OciIndex, manifest.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], manifest.Platforms);
    }

    [Fact]
    public async Task ResolveAsync_DockerManifestList_ListsEveryPlatformUnderItsOwnDigest()
    {
        var repository = RegistryFixture.NewRepository();
        var pushed = await registry.PushImageAsync(repository, "main", "docker list", TestImageFormat.DockerManifestList);

        var manifest = await registry.CreateClient().ResolveAsync(Image(repository), "main", CancellationToken.None);

        // Without the list type in Accept the registry would answer with the amd64 child and its digest.
        Assert.Equal(pushed, manifest.Digest);
        Assert.Equal(RegistryClient.DockerManifestList, manifest.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], manifest.Platforms);
    }

    [Fact]
    public async Task ResolveAsync_Digest_ReturnsThatManifestAfterTheTagMoved()
    {
        var repository = RegistryFixture.NewRepository();
        var first = await registry.PushImageAsync(repository, "main", "first");
        var second = await registry.PushImageAsync(repository, "main", "second");

        var manifest = await registry.CreateClient().ResolveAsync(Image(repository), first, CancellationToken.None);

        Assert.NotEqual(first, second);
        Assert.Equal(first, manifest.Digest);
    }

    [Fact]
    public async Task ResolveAsync_UnknownTag_ThrowsPermanentManifestUnknown()
    {
        var repository = RegistryFixture.NewRepository();
        await registry.PushImageAsync(repository, "main", "only main");

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            registry.CreateClient().ResolveAsync(Image(repository), "no-such-tag", CancellationToken.None));

        Assert.False(failure.Transient);
        Assert.Equal(HttpStatusCode.NotFound, failure.Status);
        Assert.Equal("MANIFEST_UNKNOWN", failure.ErrorCode);
        Assert.Contains($"{Image(repository)}:no-such-tag", failure.Message);
        Assert.Contains("MANIFEST_UNKNOWN", failure.Message);
    }

    [Fact]
    public async Task RetagAsync_MainToStable_StableResolvesToTheDigest()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "release candidate");

        var outcome = await registry.CreateClient().RetagAsync(Image(repository), digest, "stable", CancellationToken.None);

        Assert.False(outcome.AlreadyTagged);
        Assert.Null(outcome.PreviousDigest);
        Assert.Equal(digest, await registry.TagDigestAsync(repository, "stable"));
        Assert.Contains("does not exist yet", outcome.Log);
        Assert.Contains($"now resolves to {digest}", outcome.Log);
    }

    [Fact]
    public async Task RetagAsync_TagAlreadyAtTheDigest_WritesNothing()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "idempotent");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.None);
        var client = RegistryFixture.CreateClient(proxy.Address);
        var image = $"{proxy.Address}/{repository}";
        await client.RetagAsync(image, digest, "stable", CancellationToken.None);
        Assert.Equal(1, proxy.Count("PUT"));

        var again = await client.RetagAsync(image, digest, "stable", CancellationToken.None);

        Assert.True(again.AlreadyTagged);
        Assert.Equal(digest, again.PreviousDigest);
        Assert.Equal(1, proxy.Count("PUT"));
        Assert.Contains("nothing written", again.Log);
        Assert.Equal(digest, await registry.TagDigestAsync(repository, "stable"));
    }

    [Fact]
    public async Task RetagAsync_OldDigestAfterANewerPush_TagsTheOldDigestNotMain()
    {
        var repository = RegistryFixture.NewRepository();
        var approved = await registry.PushImageAsync(repository, "main", "approved build");
        var newer = await registry.PushImageAsync(repository, "main", "newer build, not approved");

        await registry.CreateClient().RetagAsync(Image(repository), approved, "stable", CancellationToken.None);

        Assert.NotEqual(approved, newer);
        Assert.Equal(approved, await registry.TagDigestAsync(repository, "stable"));
        Assert.Equal(newer, await registry.TagDigestAsync(repository, "main"));
    }

    [Fact]
    public async Task RetagAsync_TagAtAnotherDigest_MovesItAndReportsThePrevious()
    {
        var repository = RegistryFixture.NewRepository();
        var client = registry.CreateClient();
        var first = await registry.PushImageAsync(repository, "main", "first release");
        await client.RetagAsync(Image(repository), first, "stable", CancellationToken.None);
        var second = await registry.PushImageAsync(repository, "main", "second release");

        var outcome = await client.RetagAsync(Image(repository), second, "stable", CancellationToken.None);

        Assert.False(outcome.AlreadyTagged);
        Assert.Equal(first, outcome.PreviousDigest);
        Assert.Contains($"currently resolves to {first}", outcome.Log);
        Assert.Equal(second, await registry.TagDigestAsync(repository, "stable"));
    }

    [Fact]
    public async Task RetagAsync_UnknownDigest_PermanentAndStableUnchanged()
    {
        var repository = RegistryFixture.NewRepository();
        var client = registry.CreateClient();
        var released = await registry.PushImageAsync(repository, "main", "released");
        await client.RetagAsync(Image(repository), released, "stable", CancellationToken.None);

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            client.RetagAsync(Image(repository), UnknownDigest, "stable", CancellationToken.None));

        Assert.False(failure.Transient);
        Assert.Equal(HttpStatusCode.NotFound, failure.Status);
        Assert.Contains("MANIFEST_UNKNOWN", failure.Message);
        Assert.Contains($"{Image(repository)}@{UnknownDigest}", failure.Message);
        Assert.Equal(released, await registry.TagDigestAsync(repository, "stable"));
    }

    [Theory]
    [InlineData(TestImageFormat.OciManifest, RegistryClient.OciManifest)]
    [InlineData(TestImageFormat.OciIndex, RegistryClient.OciIndex)]
    [InlineData(TestImageFormat.DockerManifest, RegistryClient.DockerManifest)]
    [InlineData(TestImageFormat.DockerManifestList, RegistryClient.DockerManifestList)]
    public async Task RetagAsync_EachManifestFormat_KeepsMediaTypeAndDigest(TestImageFormat format, string mediaType)
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", $"format {format}", format);
        Assert.Equal(mediaType, (await registry.TagAsync(repository, "main"))!.MediaType);

        await registry.CreateClient().RetagAsync(Image(repository), digest, "stable", CancellationToken.None);

        Assert.Equal(new TaggedManifest(digest, mediaType), await registry.TagAsync(repository, "stable"));
    }

    [Fact]
    public async Task RetagAsync_InvalidTag_RejectedBeforeAnyRequest()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "tag check");

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            registry.CreateClient().RetagAsync(Image(repository), digest, "-bad tag", CancellationToken.None));

        Assert.False(failure.Transient);
        Assert.Contains("'-bad tag' is not a valid tag", failure.Message);
        Assert.Null(await registry.TagDigestAsync(repository, "stable"));
    }

    [Fact]
    public async Task ResolveAsync_TamperedManifest_PermanentDigestMismatch()
    {
        var repository = RegistryFixture.NewRepository();
        await registry.PushImageAsync(repository, "main", "tampered on the way");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.None);
        proxy.TamperManifests = true;

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            RegistryFixture.CreateClient(proxy.Address).ResolveAsync($"{proxy.Address}/{repository}", "main", CancellationToken.None));

        Assert.False(failure.Transient);
        Assert.Contains("digest mismatch", failure.Message);
    }

    [Fact]
    public async Task RetagAsync_TamperedManifest_StableNotWritten()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "tampered before retag");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.None);
        proxy.TamperManifests = true;

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            RegistryFixture.CreateClient(proxy.Address).RetagAsync($"{proxy.Address}/{repository}", digest, "stable", CancellationToken.None));

        Assert.Contains("digest mismatch", failure.Message);
        Assert.Equal(0, proxy.Count("PUT"));
        Assert.Null(await registry.TagDigestAsync(repository, "stable"));
    }

    [Fact]
    public async Task RetagAsync_ServiceUnavailable_TransientWithTheStatus()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "registry down");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.None);
        proxy.Fail(1, 503);

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            RegistryFixture.CreateClient(proxy.Address).RetagAsync($"{proxy.Address}/{repository}", digest, "stable", CancellationToken.None));

        Assert.True(failure.Transient);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.Status);
        Assert.Contains("503", failure.Message);
        Assert.Null(await registry.TagDigestAsync(repository, "stable"));
    }

    [Fact]
    public async Task ResolveAsync_TooManyRequests_TransientWithRetryAfter()
    {
        var repository = RegistryFixture.NewRepository();
        await registry.PushImageAsync(repository, "main", "rate limited");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.None);
        proxy.Fail(1, 429, retryAfterSeconds: 7);

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            RegistryFixture.CreateClient(proxy.Address).ResolveAsync($"{proxy.Address}/{repository}", "main", CancellationToken.None));

        Assert.True(failure.Transient);
        Assert.Equal(HttpStatusCode.TooManyRequests, failure.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
        Assert.Contains("TOOMANYREQUESTS", failure.Message);
    }

    [Fact]
    public async Task ResolveAsync_NoAnswerWithinTheTimeout_Transient()
    {
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.None);
        proxy.Fail(1, 200, delay: TimeSpan.FromSeconds(5));
        var client = RegistryFixture.CreateClient(proxy.Address, new RegistryHostOptions { TimeoutSeconds = 1 });

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            client.ResolveAsync($"{proxy.Address}/slow/image", "main", CancellationToken.None));

        Assert.True(failure.Transient);
        Assert.Null(failure.Status);
        Assert.Contains("within 1 s", failure.Message);
    }

    [Fact]
    public async Task ResolveAsync_ConnectionRefused_Transient()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            RegistryFixture.CreateClient(closed).ResolveAsync($"{closed}/gitpod/workspace", "main", CancellationToken.None));

        Assert.True(failure.Transient);
        Assert.Null(failure.Status);
        Assert.Contains($"could not reach {closed}", failure.Message);
        Assert.Contains($"{closed}/gitpod/workspace:main", failure.Message);
    }

    [Fact]
    public async Task AddRegistryClient_FromConfiguration_RetagsThroughTheRealRegistry()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "through DI");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ComposeGate:Registries:{registry.Address}:TimeoutSeconds"] = "10",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddRegistryClient(configuration).BuildServiceProvider();

        var outcome = await services.GetRequiredService<RegistryClient>().RetagAsync(Image(repository), digest, "stable", CancellationToken.None);

        Assert.False(outcome.AlreadyTagged);
        Assert.Equal(digest, await registry.TagDigestAsync(repository, "stable"));
    }
}

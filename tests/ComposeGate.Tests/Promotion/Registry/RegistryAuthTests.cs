using System.Net;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Promotion.Registry;

namespace ComposeGate.Tests.Promotion.Registry;

/// <summary>Token and Basic auth through <see cref="RegistryProxy"/> in front of the real registry.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryAuthTests(RegistryFixture registry)
{
    private static RegistryHostOptions Credentials(string password = RegistryProxy.Password) =>
        new() { Username = RegistryProxy.Username, Password = password };

    [Fact]
    public async Task RetagAsync_TokenAuthWithCredentials_SucceedsWithAPushScope()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "behind token auth");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Token);

        var outcome = await RegistryFixture.CreateClient(proxy.Address, Credentials())
            .RetagAsync($"{proxy.Address}/{repository}", digest, "stable", CancellationToken.None);

        Assert.False(outcome.AlreadyTagged);
        Assert.Equal(digest, await registry.TagDigestAsync(repository, "stable"));
        var (scopes, withCredentials) = Assert.Single(proxy.TokenRequests);
        Assert.Contains($"repository:{repository}:pull,push", scopes);
        Assert.True(withCredentials);
        var put = Assert.Single(proxy.Requests, r => r.Method == "PUT");
        Assert.Equal(201, put.Status);
        Assert.StartsWith("Bearer ", put.Authorization);
    }

    [Fact]
    public async Task RetagAsync_WrongPassword_Permanent401AndStableUnchanged()
    {
        var repository = RegistryFixture.NewRepository();
        var released = await registry.PushImageAsync(repository, "main", "released");
        await registry.CreateClient().RetagAsync($"{registry.Address}/{repository}", released, "stable", CancellationToken.None);
        var candidate = await registry.PushImageAsync(repository, "main", "candidate");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Token);

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            RegistryFixture.CreateClient(proxy.Address, Credentials("wrong-password-123"))
                .RetagAsync($"{proxy.Address}/{repository}", candidate, "stable", CancellationToken.None));

        Assert.False(failure.Transient);
        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.Contains($"user '{RegistryProxy.Username}'", failure.Message);
        Assert.DoesNotContain("wrong-password-123", failure.Message);
        Assert.Equal(0, proxy.Count("PUT"));
        Assert.Equal(released, await registry.TagDigestAsync(repository, "stable"));
    }

    [Fact]
    public async Task RetagAsync_SecondCall_ReusesTheToken()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "token reuse");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Token);
        var client = RegistryFixture.CreateClient(proxy.Address, Credentials());
        var image = $"{proxy.Address}/{repository}";
        await client.RetagAsync(image, digest, "stable", CancellationToken.None);
        var challengedBefore = proxy.Requests.Count(r => r.Status == 401);

        var again = await client.RetagAsync(image, digest, "stable", CancellationToken.None);

        Assert.True(again.AlreadyTagged);
        Assert.Single(proxy.TokenRequests);
        Assert.Equal(challengedBefore, proxy.Requests.Count(r => r.Status == 401));
    }

    [Fact]
    public async Task ResolveAsync_TokenExpired_FetchesANewOne()
    {
        var repository = RegistryFixture.NewRepository();
        await registry.PushImageAsync(repository, "main", "token expiry");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Token);
        proxy.TokenLifetimeSeconds = 120;
        var clock = new TestClock();
        var client = RegistryFixture.CreateClient(proxy.Address, Credentials(), clock);
        var image = $"{proxy.Address}/{repository}";
        await client.ResolveAsync(image, "main", CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(60));
        await client.ResolveAsync(image, "main", CancellationToken.None);
        var whileValid = proxy.TokenRequests.Count;
        clock.Advance(TimeSpan.FromSeconds(120));
        await client.ResolveAsync(image, "main", CancellationToken.None);

        Assert.Equal(1, whileValid);
        Assert.Equal(2, proxy.TokenRequests.Count);
    }

    [Fact]
    public async Task ResolveAsync_NoCredentialsConfigured_GetsAnAnonymousToken()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "public image");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Token);
        proxy.AllowAnonymousPull = true;

        var manifest = await RegistryFixture.CreateClient(proxy.Address).ResolveAsync($"{proxy.Address}/{repository}", "main", CancellationToken.None);

        Assert.Equal(digest, manifest.Digest);
        var (scopes, withCredentials) = Assert.Single(proxy.TokenRequests);
        Assert.False(withCredentials);
        Assert.Equal([$"repository:{repository}:pull"], scopes);
    }

    [Fact]
    public async Task ResolveAsync_BlobRedirectedToAnotherHost_SendsNoCredentialsThere()
    {
        var repository = RegistryFixture.NewRepository();
        await registry.PushImageAsync(repository, "main", "config behind a redirect");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Token);

        var manifest = await RegistryFixture.CreateClient(proxy.Address, Credentials())
            .ResolveAsync($"{proxy.Address}/{repository}", "main", CancellationToken.None);

        Assert.Equal(["linux/amd64"], manifest.Platforms);
        var blob = Assert.Single(proxy.Requests, r => r.Path.Contains("/blobs/"));
        Assert.StartsWith("Bearer ", blob.Authorization);
        var storage = Assert.Single(proxy.StorageRequests);
        Assert.Equal(200, storage.Status);
        Assert.Null(storage.Authorization);
    }

    [Fact]
    public async Task ResolveAsync_BasicChallenge_RetriesWithTheCredentials()
    {
        var repository = RegistryFixture.NewRepository();
        var digest = await registry.PushImageAsync(repository, "main", "basic auth");
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Basic);
        var client = RegistryFixture.CreateClient(proxy.Address, Credentials());
        var image = $"{proxy.Address}/{repository}";

        var first = await client.ResolveAsync(image, "main", CancellationToken.None);
        var second = await client.ResolveAsync(image, "main", CancellationToken.None);

        Assert.Equal(digest, first.Digest);
        Assert.Equal(digest, second.Digest);
        // Only the very first request is challenged; after that the credentials go along up front.
        Assert.Equal(1, proxy.Requests.Count(r => r.Status == 401));
        Assert.Empty(proxy.TokenRequests);
    }

    [Fact]
    public async Task ResolveAsync_BasicChallengeWithoutCredentials_PermanentAndSaysWhatToConfigure()
    {
        await using var proxy = await RegistryProxy.StartAsync(registry.Address, ProxyAuth.Basic);

        var failure = await Assert.ThrowsAsync<RegistryException>(() =>
            RegistryFixture.CreateClient(proxy.Address).ResolveAsync($"{proxy.Address}/private/image", "main", CancellationToken.None));

        Assert.False(failure.Transient);
        Assert.Equal(HttpStatusCode.Unauthorized, failure.Status);
        Assert.Contains($"ComposeGate:Registries:{proxy.Address}:Username", failure.Message);
    }
}

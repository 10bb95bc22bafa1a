using ComposeGate.Web.Promotion.Registry;

namespace ComposeGate.Tests.Promotion.Registry;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("quay.io/gitpod/workspace-full", "quay.io", "gitpod/workspace-full")]
    [InlineData("127.0.0.1:5000/gitpod/workspace", "127.0.0.1:5000", "gitpod/workspace")]
    [InlineData("localhost:5000/x", "localhost:5000", "x")]
    [InlineData("localhost/x", "localhost", "x")]
    [InlineData("[::1]:5000/a/b", "[::1]:5000", "a/b")]
    [InlineData("Registry.Example.COM/team/app_1.2-x__y", "registry.example.com", "team/app_1.2-x__y")]
    public void TryParse_RegistryAndPath_SplitsHostAndRepository(string image, string registry, string repository)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out var error), error);
        Assert.Equal(registry, reference.Registry);
        Assert.Equal(repository, reference.Repository);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("gitpod/workspace-full", "gitpod/workspace-full")]
    [InlineData("ubuntu", "library/ubuntu")]
    [InlineData("docker.io/ubuntu", "library/ubuntu")]
    [InlineData("index.docker.io/gitpod/workspace-full", "gitpod/workspace-full")]
    public void TryParse_DockerHubNames_UseRegistryOneAndLibrary(string image, string repository)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out var error), error);
        Assert.Equal("registry-1.docker.io", reference.Registry);
        Assert.Equal(repository, reference.Repository);
    }

    [Theory]
    [InlineData("quay.io/gitpod/workspace-full:main", "tag", ":main")]
    [InlineData("localhost:5000/x:1.0", "tag", ":1.0")]
    [InlineData("ubuntu:24.04", "tag", ":24.04")]
    [InlineData("quay.io/gitpod/workspace@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "digest", "@sha256:")]
    public void TryParse_TagOrDigest_RejectedWithTheReason(string image, string kind, string part)
    {
        Assert.False(ImageReference.TryParse(image, out var reference, out var error));
        Assert.Null(reference);
        Assert.Contains(kind, error);
        Assert.Contains(part, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("quay.io/Gitpod/Workspace")]
    [InlineData("quay.io/gitpod//workspace")]
    [InlineData("quay.io/-gitpod")]
    [InlineData("quay.io/gitpod/")]
    [InlineData("quay.io/")]
    [InlineData("https://quay.io/gitpod/workspace")]
    [InlineData("quay.io:99999/gitpod")]
    [InlineData("bad_host.io/gitpod")]
    [InlineData("quay.io/git pod")]
    public void TryParse_InvalidImage_RejectedWithAnError(string image)
    {
        Assert.False(ImageReference.TryParse(image, out var reference, out var error));
        Assert.Null(reference);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("quay.io/gitpod/workspace-full")]
    [InlineData("127.0.0.1:5000/gitpod/workspace")]
    [InlineData("registry-1.docker.io/library/ubuntu")]
    public void ToString_ParsedImage_GivesBackTheCanonicalName(string image)
    {
        Assert.True(ImageReference.TryParse(image, out var reference, out _));
        Assert.Equal(image, reference.ToString());
    }

    [Fact]
    public void ToString_DockerHubShortName_NamesRegistryAndLibrary()
    {
        Assert.True(ImageReference.TryParse("ubuntu", out var reference, out _));
        Assert.Equal("registry-1.docker.io/library/ubuntu", reference.ToString());
    }

    [Theory]
    [InlineData("main", true)]
    [InlineData("stable", true)]
    [InlineData("v1.2.3-rc.1_build", true)]
    [InlineData("_private", true)]
    [InlineData(".hidden", false)]
    [InlineData("-dash", false)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/tag", false)]
    [InlineData("main\n", false)]
    public void IsValidTag_Candidates_FollowTheTagGrammar(string tag, bool valid)
    {
        Assert.Equal(valid, ImageReference.IsValidTag(tag));
    }

    [Fact]
    public void IsValidTag_LengthLimit_Is128Characters()
    {
        Assert.True(ImageReference.IsValidTag(new string('a', 128)));
        Assert.False(ImageReference.IsValidTag(new string('a', 129)));
    }
}

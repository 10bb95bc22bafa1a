using ComposeGate.Web.Promotion.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ComposeGate.Tests.Promotion.Registry;

public sealed class RegistryOptionsTests
{
    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static RegistryOptions Resolve(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddLogging().AddRegistryClient(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<RegistryOptions>>().Value;
    }

    [Fact]
    public void AddRegistryClient_HostWithPort_KeepsThePortInTheKey()
    {
        var options = Resolve(Configuration(new()
        {
            ["ComposeGate:Registries:127.0.0.1:5000:Username"] = "bot",
            ["ComposeGate:Registries:127.0.0.1:5000:Password"] = "secret",
            ["ComposeGate:Registries:127.0.0.1:5000:Insecure"] = "true",
            ["ComposeGate:Registries:quay.io:TimeoutSeconds"] = "5",
        }));

        var local = options.For("127.0.0.1:5000");
        Assert.Equal("bot", local.Username);
        Assert.Equal("secret", local.Password);
        Assert.True(local.Insecure);
        Assert.Equal(5, options.For("QUAY.io").TimeoutSeconds);
        Assert.Null(options.For("quay.io").Username);
        Assert.Equal(30, options.For("ghcr.io").TimeoutSeconds);
    }

    [Fact]
    public void For_DockerHub_FindsTheDockerIoEntry()
    {
        var options = Resolve(Configuration(new() { ["ComposeGate:Registries:docker.io:Username"] = "hub", ["ComposeGate:Registries:docker.io:Password"] = "p" }));

        Assert.Equal("hub", options.For(ImageReference.DockerHub).Username);
    }

    [Fact]
    public void AddRegistryClient_BadSettings_ReportsEveryErrorAtOnce()
    {
        var configuration = Configuration(new()
        {
            ["ComposeGate:Registries:quay.io:Username"] = "only-user",
            ["ComposeGate:Registries:quay.io:TimeoutSeconds"] = "0",
            ["ComposeGate:Registries:ghcr.io:Insecure"] = "yes",
            ["ComposeGate:Registries:ghcr.io:Usrname"] = "typo",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => Resolve(configuration));

        Assert.Contains(failure.Failures, f => f.Contains("quay.io: set both Username and Password"));
        Assert.Contains(failure.Failures, f => f.Contains("quay.io:TimeoutSeconds must be between 1 and 600"));
        Assert.Contains(failure.Failures, f => f.Contains("ghcr.io:Insecure must be true or false"));
        Assert.Contains(failure.Failures, f => f.Contains("ghcr.io:Usrname is not a registry setting"));
    }

    [Fact]
    public void ToString_WithPassword_DoesNotShowIt()
    {
        var settings = new RegistryHostOptions { Username = "bot", Password = "hunter2-secret" };

        Assert.DoesNotContain("hunter2-secret", settings.ToString());
        Assert.Contains("bot", settings.ToString());
    }
}

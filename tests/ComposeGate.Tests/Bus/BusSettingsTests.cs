using ComposeGate.Web.Bus;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Security;
using Microsoft.Extensions.Configuration;

namespace ComposeGate.Tests.Bus;

public sealed class BusSettingsTests
{
    private static IReadOnlyList<string> StreamErrors(Dictionary<string, string?> values)
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(StreamsOptions.Section).Get<StreamsOptions>()!;
        var result = new StreamsOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures.ToList() : [];
    }

    private static Dictionary<string, string?> Amqp(string stream, string queue, string? pattern = "^Fedora-Rawhide-.*$", string url = "amqp://guest:guest@127.0.0.1:5672/") => new()
    {
        [$"ComposeGate:Streams:{stream}:Source:Amqp:Url"] = url,
        [$"ComposeGate:Streams:{stream}:Source:Amqp:Queue"] = queue,
        [$"ComposeGate:Streams:{stream}:Source:Amqp:ComposeIdPattern"] = pattern,
    };

    [Fact]
    public void Validate_AmqpAloneOnAComposeStream_IsEnough()
    {
        Assert.Empty(StreamErrors(Amqp("rawhide", "composegate-rawhide")));
    }

    [Fact]
    public void Validate_AmqpBesideAPolledDirectory_NeedsTheScheduleOfThePoll()
    {
        var values = Amqp("rawhide", "composegate-rawhide");
        values["ComposeGate:Streams:rawhide:Source:ComposeUrl"] = "/srv/composes";

        Assert.Contains(StreamErrors(values), e => e.Contains("Source:Schedule is required"));
    }

    [Fact]
    public void Validate_BadAmqpSettings_ReportsEveryErrorAtOnce()
    {
        var values = Amqp("rawhide", "amq.mine", pattern: "([unclosed", url: "http://broker/");
        values["ComposeGate:Streams:rawhide:Source:Amqp:Prefetch"] = "0";
        values["ComposeGate:Streams:rawhide:Source:Amqp:ClientCertificate"] = "/nowhere/cert.pem";

        var errors = StreamErrors(values);

        Assert.Contains(errors, e => e.Contains("Source:Amqp:Url 'http://broker/' is not an amqp:// or amqps:// URL"));
        Assert.Contains(errors, e => e.Contains("Source:Amqp:Queue is required"));
        Assert.Contains(errors, e => e.Contains("Source:Amqp:ComposeIdPattern '([unclosed' is not a regular expression"));
        Assert.Contains(errors, e => e.Contains("Source:Amqp:Prefetch must be between 1 and 1000"));
        Assert.Contains(errors, e => e.Contains("ClientCertificate and ClientKey go together"));
        Assert.Contains(errors, e => e.Contains("ClientCertificate '/nowhere/cert.pem' does not exist"));
    }

    [Fact]
    public void Validate_MissingComposeIdPattern_IsRefused()
    {
        Assert.Contains(StreamErrors(Amqp("rawhide", "q", pattern: null)), e => e.Contains("ComposeIdPattern is required"));
    }

    [Fact]
    public void Validate_TwoStreamsOnOneQueue_IsRefused()
    {
        var values = Amqp("rawhide", "shared");
        foreach (var (key, value) in Amqp("eln", "shared"))
        {
            values[key] = value;
        }

        Assert.Contains(StreamErrors(values), e => e.Contains("Queue 'shared' is also the queue of stream"));
    }

    [Fact]
    public void Validate_AmqpOnAnImageStream_IsRefused()
    {
        var values = Amqp("gitpod", "q");
        values["ComposeGate:Streams:gitpod:Source:Image"] = "quay.io/gitpod/workspace";
        values["ComposeGate:Streams:gitpod:Source:Tag"] = "main";
        values["ComposeGate:Streams:gitpod:Source:Schedule"] = "0 0/5 * * * ?";

        Assert.Contains(StreamErrors(values), e => e.Contains("an image stream cannot take it"));
    }

    [Fact]
    public void PublishValidator_BadSettings_AreAllReported()
    {
        var options = new BusPublishOptions { Url = "amqp://u:secret@broker/", Exchange = "", TopicPrefix = "org.#", Events = ["candidate.created", "candidate.exploded"] };

        var result = new BusPublishOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures, f => f.Contains("Exchange is required"));
        Assert.Contains(result.Failures, f => f.Contains("TopicPrefix 'org.#'"));
        Assert.Contains(result.Failures, f => f.Contains("'candidate.exploded' is not an event"));
        Assert.DoesNotContain(result.Failures, f => f.Contains("secret"));
    }

    [Fact]
    public void PublishValidator_NoUrl_MeansPublishingIsOff()
    {
        Assert.True(new BusPublishOptionsValidator().Validate(null, new BusPublishOptions { Exchange = "" }).Succeeded);
    }

    [Theory]
    [InlineData("amqp://bot:s3cret@broker.example:5672/%2Fpublic", "amqp://bot:***@broker.example:5672/%2Fpublic")]
    [InlineData("amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub", "amqps://fedora:***@rabbitmq.fedoraproject.org/%2Fpublic_pubsub")]
    [InlineData("amqp://broker/", "amqp://broker/")]
    public void Redact_HidesThePassword(string url, string shown) =>
        Assert.Equal(shown, UrlSecrets.Apply(url));

    [Fact]
    public void RoutingKey_FollowsTheTopicPrefix()
    {
        Assert.Equal("org.example.prod.composegate.decision.changed", new BusPublishOptions { TopicPrefix = "org.example.prod" }.RoutingKey("decision.changed"));
        Assert.Equal("composegate.candidate.failed", new BusPublishOptions().RoutingKey("candidate.failed"));
    }

    [Fact]
    public void Backoff_DoublesUpToAMinute()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(1, 8).Select(f => BusLinks.Backoff(f).TotalSeconds));
    }
}

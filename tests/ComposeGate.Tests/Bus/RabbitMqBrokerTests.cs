using System.Diagnostics;
using ComposeGate.Tests.Infrastructure;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace ComposeGate.Tests.Bus;

/// <summary>The test broker itself: what the bus tests rely on (durability across restarts, confirmed bursts) holds.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqBrokerTests(RabbitMqBroker broker, ITestOutputHelper log)
{
    [Fact]
    public async Task A_persistent_message_in_a_durable_queue_survives_a_graceful_restart()
    {
        var queue = NewQueue();
        await broker.DeclareQueueAsync(queue);
        var headers = new Dictionary<string, object?> { ["x-test"] = "restart" };
        await broker.PublishAsync("", queue, """{"n":1}""", messageId: "m-1", headers: headers);

        var clock = Stopwatch.StartNew();
        await broker.StopAsync();
        log.WriteLine($"stop: {clock.ElapsedMilliseconds} ms");
        Assert.False(broker.IsRunning);
        clock.Restart();
        await broker.StartAsync();
        log.WriteLine($"start again: {clock.ElapsedMilliseconds} ms");

        var message = Assert.Single(await broker.DrainAsync(queue, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(queue, message.RoutingKey);
        Assert.Equal("""{"n":1}""", message.Body);
        Assert.Equal("m-1", message.Props.MessageId);
        Assert.Equal("application/json", message.Props.ContentType);
        Assert.Equal(DeliveryModes.Persistent, message.Props.DeliveryMode);
        Assert.True(message.Props.Headers!.ContainsKey("x-test"));
        Assert.Equal(0u, await broker.MessageCountAsync(queue));
    }

    [Fact]
    public async Task A_confirmed_message_survives_a_kill()
    {
        var queue = NewQueue();
        await broker.DeclareQueueAsync(queue, exchange: "composegate.tests", bindingKey: "kill.#");
        await broker.PublishAsync("composegate.tests", "kill.one", """{"n":2}""", messageId: "m-2");

        await broker.KillAsync();
        var clock = Stopwatch.StartNew();
        await broker.StartAsync();
        log.WriteLine($"start after SIGKILL: {clock.ElapsedMilliseconds} ms");

        var message = Assert.Single(await broker.DrainAsync(queue, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal("kill.one", message.RoutingKey);
        Assert.Equal("m-2", message.Props.MessageId);
    }

    [Fact]
    public async Task A_burst_of_1000_confirmed_messages_all_arrive()
    {
        var queue = NewQueue();
        await broker.DeclareQueueAsync(queue, exchange: "composegate.tests", bindingKey: $"{queue}.#");

        var clock = Stopwatch.StartNew();
        await broker.PublishManyAsync("composegate.tests",
            Enumerable.Range(0, 1000).Select(i => ($"{queue}.event", $$"""{"i":{{i}}}""", $"m-{i}")));
        log.WriteLine($"1000 confirmed publishes: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(1000u, await broker.MessageCountAsync(queue));
        var first = await broker.DrainAsync(queue, 3, TimeSpan.FromSeconds(5));
        Assert.Equal(["m-0", "m-1", "m-2"], first.Select(m => m.Props.MessageId));
    }

    private static string NewQueue() => $"test-{Guid.NewGuid():N}";
}

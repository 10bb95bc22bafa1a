using ComposeGate.Web.Features.Sources;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ComposeGate.Web.Bus;

/// <summary>
/// Hears each stream's compose announcements: one connection per stream with <c>Source:Amqp</c>, a durable queue
/// bound to the exchange with the stream's topic, manual acknowledgements, and messages handled one at a time in
/// the order the broker hands them over. Whatever is not acknowledged when the connection or the app goes away,
/// the broker hands over again.
/// </summary>
public sealed class AnnouncementListener(
    IOptions<StreamsOptions> streams,
    BusLinks links,
    IServiceProvider services,
    ILogger<AnnouncementListener> logger) : BackgroundService
{
    public static string LinkName(string stream) => $"announcements:{stream}";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (stream, settings) in Configured())
        {
            links.Register(LinkName(stream), BusLinks.IngestRole, stream, settings.Endpoint, $"queue {settings.Queue} ← {settings.Exchange} ({settings.Topic})");
        }
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Configured().Select(s => links.RunAsync(LinkName(s.Stream),
            AmqpConnections.Factory(s.Settings, $"ComposeGate announcements for {s.Stream}"),
            (connection, ct) => ConsumeAsync(s.Stream, s.Settings, connection, ct), stoppingToken)));

    private IEnumerable<(string Stream, AmqpSourceSettings Settings)> Configured() =>
        streams.Value.Where(s => s.Value.Source?.Amqp is not null).Select(s => (s.Key, s.Value.Source!.Amqp!));

    private async Task ConsumeAsync(string stream, AmqpSourceSettings settings, IConnection connection, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            lost.TrySetResult();
            return Task.CompletedTask;
        };
        // The exchange belongs to whoever publishes the announcements: it must exist, it is not created here.
        await channel.ExchangeDeclarePassiveAsync(settings.Exchange, ct);
        await channel.QueueDeclareAsync(settings.Queue!, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: ct);
        await channel.QueueBindAsync(settings.Queue!, settings.Exchange, settings.Topic, cancellationToken: ct);
        await channel.BasicQosAsync(0, settings.Prefetch, global: false, ct);

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(stream, settings, channel, delivery, ct);
        await channel.BasicConsumeAsync(settings.Queue!, autoAck: false, consumer, ct);
        await lost.Task.WaitAsync(ct);
    }

    private async Task OnReceivedAsync(string stream, AmqpSourceSettings settings, IChannel channel, BasicDeliverEventArgs delivery, CancellationToken ct)
    {
        Settlement settlement;
        try
        {
            var handler = services.GetRequiredService<AnnouncementHandler>();
            settlement = await handler.HandleAsync(stream, settings,
                new BusDelivery(delivery.BasicProperties.MessageId, delivery.RoutingKey, delivery.Body, delivery.Redelivered), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: not acknowledged, so the broker hands it over again after the restart.
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Handling announcement {MessageId} on {Stream} failed; it will be handed over again", delivery.BasicProperties.MessageId, stream);
            settlement = Settlement.Requeue;
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
        }
        try
        {
            if (settlement == Settlement.Acknowledge)
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
                links.CountMessages(LinkName(stream));
            }
            else
            {
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException)
        {
            // The outcome is recorded: when the broker hands the message over again it is acknowledged at once.
            logger.LogInformation("Could not settle announcement {MessageId} on {Stream}: {Error}", delivery.BasicProperties.MessageId, stream, e.Message);
        }
    }
}

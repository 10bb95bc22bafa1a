using System.Globalization;
using System.Text;
using ComposeGate.Data;
using ComposeGate.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ComposeGate.Web.Bus;

/// <summary>
/// The connection our events go out on, kept up like every bus link (reconnecting with backoff, its state on the Jobs
/// page and <c>/healthz</c>), and the publishing of the outbox over it, which runs as the <see cref="BusJobs"/> job:
/// oldest first, with publisher confirms, so a row is marked published only after the broker confirmed it, and a crash
/// or a lost connection publishes it again, with the same message id. Messages follow fedora-messaging's wire format
/// (persistent, JSON, <c>fedora_messaging_*</c> and <c>sent-at</c> headers).
/// </summary>
public sealed class BusPublisher(
    IOptions<BusPublishOptions> options,
    IDbContextFactory<AppDbContext> dbFactory,
    BusLinks links,
    BusQueue queue,
    TimeProvider clock,
    ILogger<BusPublisher> logger) : BackgroundService
{
    public const string LinkName = "events";
    public const int Batch = 100;
    public static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim turn = new(1, 1);
    private IChannel? channel;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            var settings = options.Value;
            links.Register(LinkName, BusLinks.PublishRole, stream: null, settings.Endpoint,
                $"exchange {settings.Exchange} ({settings.RoutingKey("<event>")})");
        }
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Enabled
            ? links.RunAsync(LinkName, AmqpConnections.Factory(options.Value, "ComposeGate events"), HoldAsync, stoppingToken)
            : Task.CompletedTask;

    /// <summary>A session of the link: the channel is open for the publishing job until it closes.</summary>
    private async Task HoldAsync(IConnection connection, CancellationToken ct)
    {
        var settings = options.Value;
        await using var open = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        if (settings.Exchange.StartsWith("amq.", StringComparison.Ordinal))
        {
            await open.ExchangeDeclarePassiveAsync(settings.Exchange, ct);
        }
        else
        {
            await open.ExchangeDeclareAsync(settings.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        }
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.ChannelShutdownAsync += (_, _) =>
        {
            lost.TrySetResult();
            return Task.CompletedTask;
        };
        channel = open;
        try
        {
            // What waited while the link was down goes out now.
            queue.Enqueue();
            if (open.IsOpen)
            {
                await lost.Task.WaitAsync(ct);
            }
        }
        finally
        {
            channel = null;
        }
    }

    /// <summary>
    /// Publishes the outbox while it has rows and the link is up; returns how many were confirmed, or null when another
    /// run is publishing. With the link down it publishes nothing: the link enqueues this again when it is back.
    /// </summary>
    public async Task<int?> PublishOutboxAsync(Action started, CancellationToken ct)
    {
        if (!await turn.WaitAsync(TimeSpan.Zero, ct))
        {
            return null;
        }
        started();
        try
        {
            var confirmed = 0;
            while (channel is { IsOpen: true } open)
            {
                int published;
                try
                {
                    published = await PublishDueAsync(open, ct);
                }
                catch (IOException)
                {
                    // Unconfirmed: the link starts a new session (with its backoff), which enqueues this job again.
                    await open.AbortAsync(CancellationToken.None);
                    throw;
                }
                confirmed += published;
                if (published < Batch)
                {
                    break;
                }
            }
            return confirmed;
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>Publishes the oldest unpublished rows and marks those the broker confirmed; returns how many were tried.</summary>
    private async Task<int> PublishDueAsync(IChannel channel, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.BusOutbox.Where(m => m.PublishedAt == null).OrderBy(m => m.Id).Take(Batch).ToListAsync(ct);
        if (due.Count == 0)
        {
            return 0;
        }
        var streamIds = due.Select(m => m.StreamId).Distinct().ToList();
        var streams = await db.Streams.Where(s => streamIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);

        // A broker that blocks publishing (a memory or disk alarm) never confirms: give up on the batch after a while.
        using var confirm = CancellationTokenSource.CreateLinkedTokenSource(ct);
        confirm.CancelAfter(ConfirmTimeout);
        var sends = due.Select(m => PublishOneAsync(channel, m, streams.GetValueOrDefault(m.StreamId, ""), confirm.Token)).ToList();
        var outcomes = await Task.WhenAll(sends);
        var now = clock.GetUtcNow();
        var confirmed = 0;
        for (var i = 0; i < due.Count; i++)
        {
            due[i].Attempts++;
            if (outcomes[i] is null)
            {
                due[i].PublishedAt = now;
                due[i].LastError = null;
                confirmed++;
            }
            else
            {
                due[i].LastError = outcomes[i];
            }
        }
        // Marked even when the app is stopping: the broker has these.
        await db.SaveChangesAsync(CancellationToken.None);
        if (confirmed > 0)
        {
            links.CountMessages(LinkName, confirmed);
        }
        if (confirmed < due.Count)
        {
            logger.LogWarning("The broker did not confirm {Count} event(s): {Error}", due.Count - confirmed, outcomes.First(o => o is not null));
            throw new IOException($"the broker did not confirm {due.Count - confirmed} event(s): {outcomes.First(o => o is not null)}");
        }
        return due.Count;
    }

    private async Task<string?> PublishOneAsync(IChannel channel, BusOutboxMessage message, string stream, CancellationToken ct)
    {
        var properties = new BasicProperties
        {
            MessageId = message.EventId.ToString(),
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Persistent,
            Type = message.Event,
            AppId = "composegate",
            Timestamp = new AmqpTimestamp(message.CreatedAt.ToUnixTimeSeconds()),
            Headers = new Dictionary<string, object?>
            {
                ["fedora_messaging_schema"] = "base.message",
                ["fedora_messaging_severity"] = message.Event == Features.Events.OutgoingEvents.CandidateFailed ? 30 : 20,
                ["sent-at"] = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                ["composegate_event"] = message.Event,
                ["composegate_stream"] = stream,
                ["composegate_candidate"] = message.CandidateId,
            },
        };
        try
        {
            await channel.BasicPublishAsync(options.Value.Exchange, message.RoutingKey, mandatory: false, properties, Encoding.UTF8.GetBytes(message.Payload), ct);
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return $"the broker did not confirm within {ConfirmTimeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is PublishException or AlreadyClosedException or OperationInterruptedException or IOException)
        {
            return e is PublishException ? "the broker refused the message (nack)" : AmqpConnections.Describe(e);
        }
    }
}

using System.Collections.Concurrent;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ComposeGate.Web.Bus;

public enum BusLinkState
{
    Connecting,
    Connected,
    /// <summary>The broker paused publishing (memory or disk alarm); messages wait in the outbox.</summary>
    Blocked,
    /// <summary>The connection failed or was lost; the next try is at <see cref="BusLinkStatus.NextAttemptAt"/>.</summary>
    Reconnecting,
    Stopped,
}

/// <summary>One connection to a broker as the Jobs page and <c>/healthz</c> show it.</summary>
public sealed record BusLinkStatus(
    string Name,
    string Role,
    string? Stream,
    string Endpoint,
    string Target,
    BusLinkState State,
    DateTimeOffset Since,
    string? LastError,
    int Failures,
    DateTimeOffset? NextAttemptAt,
    long Messages,
    DateTimeOffset? LastMessageAt);

/// <summary>
/// The bus connections of this process and their state. Each link runs <see cref="RunAsync"/>: connect, run its
/// session until the connection is lost, then wait (1 s, 2 s, 4 s … at most a minute) and connect again.
/// </summary>
public sealed class BusLinks(TimeProvider clock, ILogger<BusLinks> logger)
{
    public const string IngestRole = "ingest";
    public const string PublishRole = "publish";
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    /// <summary>A session that lasted this long was healthy: the next failure starts the backoff again from 1 s.</summary>
    public static readonly TimeSpan HealthySession = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, BusLinkStatus> links = new(StringComparer.Ordinal);

    public IReadOnlyList<BusLinkStatus> All => links.Values.OrderBy(l => l.Role, StringComparer.Ordinal).ThenBy(l => l.Name, StringComparer.Ordinal).ToList();

    public void Register(string name, string role, string? stream, string endpoint, string target) =>
        links[name] = new BusLinkStatus(name, role, stream, endpoint, target, BusLinkState.Connecting, clock.GetUtcNow(), null, 0, null, 0, null);

    /// <summary>Counts a message handled (ingest) or confirmed by the broker (publish).</summary>
    public void CountMessages(string name, int count = 1) =>
        Update(name, l => l with { Messages = l.Messages + count, LastMessageAt = clock.GetUtcNow() });

    public static TimeSpan Backoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Max(0, failures - 1))));

    /// <summary>
    /// Keeps the link up until <paramref name="ct"/> ends: <paramref name="session"/> gets an open connection and returns
    /// (or throws) when it is no longer usable.
    /// </summary>
    public async Task RunAsync(string name, ConnectionFactory factory, Func<IConnection, CancellationToken, Task> session, CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            SetState(name, failures == 0 ? BusLinkState.Connecting : BusLinkState.Reconnecting);
            var started = clock.GetTimestamp();
            string error;
            try
            {
                await using var connection = await factory.CreateConnectionAsync(ct);
                connection.ConnectionBlockedAsync += (_, e) => OnBlocked(name, e);
                connection.ConnectionUnblockedAsync += (_, _) =>
                {
                    SetState(name, BusLinkState.Connected);
                    return Task.CompletedTask;
                };
                Update(name, l => l with { State = BusLinkState.Connected, Since = clock.GetUtcNow(), NextAttemptAt = null });
                logger.LogInformation("Bus link {Link} connected to {Endpoint}", name, links[name].Endpoint);
                await session(connection, ct);
                error = connection.CloseReason is { } reason ? $"connection closed: {reason.ReplyCode} {reason.ReplyText}" : "the connection closed";
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                error = AmqpConnections.Describe(e);
            }
            if (clock.GetElapsedTime(started) >= HealthySession)
            {
                failures = 0;
            }
            failures++;
            var delay = Backoff(failures);
            Update(name, l => l with
            {
                State = BusLinkState.Reconnecting, Since = l.State == BusLinkState.Reconnecting ? l.Since : clock.GetUtcNow(),
                LastError = error, Failures = failures, NextAttemptAt = clock.GetUtcNow() + delay,
            });
            logger.LogWarning("Bus link {Link} to {Endpoint} is down ({Error}); trying again in {Delay} s", name, links[name].Endpoint, error, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, clock, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        SetState(name, BusLinkState.Stopped);
    }

    private Task OnBlocked(string name, ConnectionBlockedEventArgs e)
    {
        Update(name, l => l with { State = BusLinkState.Blocked, Since = clock.GetUtcNow(), LastError = "blocked by the broker: " + e.Reason });
        logger.LogWarning("Bus link {Link} is blocked by the broker: {Reason}", name, e.Reason);
        return Task.CompletedTask;
    }

    private void SetState(string name, BusLinkState state) =>
        Update(name, l => l.State == state ? l : l with { State = state, Since = clock.GetUtcNow() });

    private void Update(string name, Func<BusLinkStatus, BusLinkStatus> change)
    {
        while (links.TryGetValue(name, out var current) && !links.TryUpdate(name, change(current), current))
        {
        }
    }
}

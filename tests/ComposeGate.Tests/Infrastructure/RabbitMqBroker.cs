using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using RabbitMQ.Client;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// Debian's real RabbitMQ (<c>rabbitmq-server</c>, 3.10) as a node of its own: a unique node name, a free loopback
/// AMQP port and distribution port, and a temporary folder for its data, logs, config and Erlang cookie (its HOME),
/// so brokers of parallel collections never meet and <c>/var/lib/rabbitmq</c> is never touched. No plugins (no
/// management UI); the <c>guest</c> user works because every connection comes from 127.0.0.1.
/// A test can stop the broker gracefully, kill it, and start it again on the same port, node and data, so durable
/// queues and persistent messages outlive the restart.
/// </summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    /// <summary>
    /// The real start script: it runs the node in the foreground as the current user and turns SIGTERM into a graceful
    /// shutdown. <c>/usr/sbin/rabbitmq-server</c> is a wrapper that switches to the rabbitmq user.
    /// </summary>
    public const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly string root = Path.Combine(Path.GetTempPath(), "composegate-rabbitmq", Guid.NewGuid().ToString("N"));
    private readonly ProcessOutput output = new();
    private Process? process;
    private int distPort;

    /// <summary>The node's name, e.g. <c>cg1a2b3c4d5e6f@localhost</c>, unique per broker.</summary>
    public string NodeName { get; } = $"cg{Guid.NewGuid().ToString("N")[..12]}@localhost";

    /// <summary>The AMQP port on 127.0.0.1; it stays the same across <see cref="StopAsync"/>/<see cref="StartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The AMQP URI for the app's settings: <c>amqp://guest:guest@127.0.0.1:{Port}/</c>.</summary>
    public string Url => $"amqp://guest:guest@127.0.0.1:{Port}/";

    /// <summary>Whether the broker's process is running (it may still be booting or shutting down).</summary>
    public bool IsRunning => process is { HasExited: false };

    public async Task InitializeAsync()
    {
        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException(
                $"The RabbitMQ tests need {ServerScript}: apt-get install -y --no-install-recommends rabbitmq-server (build/test.sh installs it).");
        }
        Directory.CreateDirectory(Path.Combine(root, "mnesia"));
        Directory.CreateDirectory(Path.Combine(root, "log"));
        Directory.CreateDirectory(Path.Combine(root, "conf.d"));
        await File.WriteAllTextAsync(Path.Combine(root, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq-env.conf"), "");

        // A free port can be taken between the probe and the broker's bind; the node then exits and we try others.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = AppProcess.FreePort();
            do
            {
                distPort = AppProcess.FreePort();
            }
            while (distPort == Port);
            await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq.conf"), $"""
                listeners.tcp.default = 127.0.0.1:{Port}
                log.file.level = info
                """);
            if (await LaunchAsync())
            {
                return;
            }
            await KillAsync();
        }
        throw new InvalidOperationException($"rabbitmq-server did not start (node {NodeName}):\n{Diagnostics()}");
    }

    /// <summary>Starts the broker again after <see cref="StopAsync"/> or <see cref="KillAsync"/>: same port, node name and data.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"The broker {NodeName} is already running.");
        }
        if (!await LaunchAsync())
        {
            await KillAsync();
            throw new InvalidOperationException($"rabbitmq-server did not start again on port {Port} (node {NodeName}):\n{Diagnostics()}");
        }
    }

    /// <summary>
    /// Stops the broker gracefully (SIGTERM to the start script, as <c>docker stop</c> would) and waits until its Erlang VM has
    /// exited; the data folder stays for <see cref="StartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (process is null)
        {
            return;
        }
        if (!process.HasExited)
        {
            SendSignal(process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
                throw new TimeoutException($"rabbitmq-server {NodeName} did not stop within {StopTimeout.TotalSeconds} s of SIGTERM:\n{Diagnostics()}");
            }
        }
        process.Dispose();
        process = null;
    }

    /// <summary>SIGKILL to the start script and the Erlang VM under it: no shutdown code runs, like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (process is null)
        {
            return;
        }
        if (!process.HasExited)
        {
            var tree = Descendants(process.Id);
            process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
            // The start script is gone, but the VM under it may not be yet; its ports and files must be free for StartAsync.
            while (tree.Any(IsAlive))
            {
                await Task.Delay(20, timeout.Token);
            }
        }
        process.Dispose();
        process = null;
    }

    /// <summary>A new connection to the broker (no automatic recovery); the caller disposes it.</summary>
    public Task<IConnection> ConnectAsync() => NewFactory().CreateConnectionAsync("composegate-tests");

    /// <summary>
    /// Declares the durable exchange <paramref name="exchange"/> (of <paramref name="exchangeType"/>, unless it exists
    /// with the same settings) and a durable queue bound to it with <paramref name="bindingKey"/>, so a test sees what
    /// is published there from now on. Without an exchange, only the queue is declared.
    /// </summary>
    public async Task DeclareQueueAsync(string queue, string? exchange = null, string bindingKey = "#", string exchangeType = ExchangeType.Topic)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        if (exchange is not null)
        {
            await channel.ExchangeDeclareAsync(exchange, exchangeType, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, bindingKey);
        }
    }

    /// <summary>
    /// Publishes one persistent <c>application/json</c> message and waits for the broker's confirm (it is then on disk
    /// for a durable queue). <paramref name="exchange"/> "" is the default exchange: the routing key names the queue.
    /// </summary>
    public async Task PublishAsync(string exchange, string routingKey, string body, string? messageId = null, IDictionary<string, object?>? headers = null)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(ConfirmedChannel());
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, Properties(messageId, headers), Encoding.UTF8.GetBytes(body));
    }

    /// <summary>
    /// Publishes a burst of persistent <c>application/json</c> messages on one channel, 100 in flight at a time, and
    /// returns once the broker has confirmed every one.
    /// </summary>
    public async Task PublishManyAsync(string exchange, IEnumerable<(string RoutingKey, string Body, string MessageId)> messages)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(ConfirmedChannel());
        foreach (var batch in messages.Chunk(100))
        {
            await Task.WhenAll(batch.Select(message => channel.BasicPublishAsync(
                exchange, message.RoutingKey, mandatory: false, Properties(message.MessageId, null), Encoding.UTF8.GetBytes(message.Body)).AsTask()));
        }
    }

    /// <summary>How many messages <paramref name="queue"/> holds that are ready for delivery (passive declare).</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>
    /// Takes messages from <paramref name="queue"/> (basic.get, acked) until <paramref name="expected"/> have come or
    /// <paramref name="timeout"/> has passed, and returns those it got, in queue order: fewer than expected on timeout,
    /// never more (later ones stay in the queue).
    /// </summary>
    public async Task<IReadOnlyList<(string RoutingKey, string Body, IReadOnlyBasicProperties Props)>> DrainAsync(string queue, int expected, TimeSpan timeout)
    {
        var messages = new List<(string RoutingKey, string Body, IReadOnlyBasicProperties Props)>();
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (messages.Count < expected)
        {
            var result = await channel.BasicGetAsync(queue, autoAck: false);
            if (result is null)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    break;
                }
                await Task.Delay(50);
                continue;
            }
            messages.Add((result.RoutingKey, Encoding.UTF8.GetString(result.Body.Span), result.BasicProperties));
            await channel.BasicAckAsync(result.DeliveryTag, multiple: false);
        }
        return messages;
    }

    /// <summary>The broker's console output and the end of its log file, for a failing test's message.</summary>
    public string Diagnostics()
    {
        var text = new StringBuilder();
        text.Append(output);
        var logFile = Path.Combine(root, "log", $"{NodeName}.log");
        if (File.Exists(logFile))
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            text.AppendLine($"--- {logFile} (last 60 lines)");
            text.AppendJoin('\n', lines.TakeLast(60));
        }
        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        for (var attempt = 0; Directory.Exists(root); attempt++)
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(200);
            }
        }
    }

    private async Task<bool> LaunchAsync()
    {
        process?.Dispose();
        output.Clear();
        var info = new ProcessStartInfo(ServerScript)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var inherited in info.Environment.Keys.Where(key => key.StartsWith("RABBITMQ_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(inherited);
        }
        info.Environment["HOME"] = root;
        info.Environment["RABBITMQ_NODENAME"] = NodeName;
        info.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        info.Environment["RABBITMQ_NODE_PORT"] = Port.ToString();
        info.Environment["RABBITMQ_DIST_PORT"] = distPort.ToString();
        info.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(root, "rabbitmq-env.conf");
        info.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq.conf");
        info.Environment["RABBITMQ_CONFIG_FILES"] = Path.Combine(root, "conf.d");
        info.Environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(root, "advanced.config");
        info.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins");
        info.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia");
        info.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log");
        info.Environment["RABBITMQ_PID_FILE"] = Path.Combine(root, "rabbitmq.pid");
        info.Environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        info.Environment.TryAdd("ERL_EPMD_ADDRESS", "127.0.0.1");

        process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {ServerScript}.");
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var factory = NewFactory();
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(2);
        factory.HandshakeContinuationTimeout = TimeSpan.FromSeconds(2);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                await using var probe = await factory.CreateConnectionAsync("composegate-tests-probe");
                return true;
            }
            catch (Exception)
            {
                // Not listening yet, or still booting.
            }
            await Task.Delay(100);
        }
        return false;
    }

    private ConnectionFactory NewFactory() => new()
    {
        Uri = new Uri(Url),
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
    };

    private static CreateChannelOptions ConfirmedChannel() =>
        new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private static BasicProperties Properties(string? messageId, IDictionary<string, object?>? headers) => new()
    {
        DeliveryMode = DeliveryModes.Persistent,
        ContentType = "application/json",
        MessageId = messageId,
        Headers = headers,
    };

    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is [_, var parent, ..] && int.TryParse(parent, out var ppid))
            {
                if (!children.TryGetValue(ppid, out var siblings))
                {
                    children[ppid] = siblings = [];
                }
                siblings.Add(pid);
            }
        }
        var found = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var next))
        {
            foreach (var child in children.GetValueOrDefault(next) ?? [])
            {
                found.Add(child);
                pending.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>Whether <paramref name="pid"/> still runs: a zombie has exited and closed its sockets, only nobody reaped it yet.</summary>
    private static bool IsAlive(int pid) => Stat(pid) is [var state, ..] && state != "Z" && state != "X";

    /// <summary>The fields of <c>/proc/{pid}/stat</c> after the command name (state, ppid, ...), or null once it is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqBroker>
{
    public const string Name = "rabbitmq";
}

using System.Net.Http.Json;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using RabbitMQ.Client;

namespace ComposeGate.Tests.Bus;

/// <summary>What the bus tests share: pungi messages, a stream's AMQP settings, a queue bound the way the app binds it.</summary>
internal static class BusTestKit
{
    public const string Topic = "org.fedoraproject.prod.pungi.compose.status.change";
    public const string Exchange = "amq.topic";

    public static readonly TestPackage[] Packages = [new("bash", "0:5.2.26-4.fc42", "bash"), new("glibc", "0:2.39-10.fc42", "glibc", "glibc-common")];

    /// <summary>A pungi status-change body as pungi-fedmsg-notification sends it.</summary>
    public static string Pungi(string composeId, string status, string? location) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["status"] = status,
        ["compose_id"] = composeId,
        ["location"] = location,
        ["compose_date"] = composeId.Split('-')[^1][..8],
        ["compose_type"] = "nightly",
        ["compose_respin"] = 0,
        ["compose_label"] = null,
        ["release_short"] = "Fedora",
        ["release_name"] = "Fedora",
        ["release_version"] = "Rawhide",
        ["release_type"] = "ga",
        ["release_is_layered"] = false,
    });

    /// <summary>The settings of a stream that hears its composes on <paramref name="queue"/>.</summary>
    public static Dictionary<string, string> AmqpSource(string stream, string url, string queue, string pattern = @"^Fedora-Rawhide-\d{8}\.n\.\d+$") => new()
    {
        [$"ComposeGate:Streams:{stream}:Source:Amqp:Url"] = url,
        [$"ComposeGate:Streams:{stream}:Source:Amqp:Queue"] = queue,
        [$"ComposeGate:Streams:{stream}:Source:Amqp:ComposeIdPattern"] = pattern,
    };

    /// <summary>
    /// Binds the stream's queue, then starts an in-process app hearing <paramref name="stream"/> on it
    /// (<paramref name="configure"/> adds settings first).
    /// </summary>
    public static async Task<ComposeGateFactory> StartAppAsync(this RabbitMqBroker broker, string stream, string queue, Action<ComposeGateFactory>? configure = null)
    {
        await broker.BindAsync(queue);
        var app = new ComposeGateFactory();
        foreach (var (key, value) in AmqpSource(stream, broker.Url, queue))
        {
            app.Settings[key] = value;
        }
        configure?.Invoke(app);
        app.CreateClient().Dispose();
        return app;
    }

    /// <summary>Declares the stream's durable queue and binds it as the app will, so nothing published before the app connects is lost.</summary>
    public static async Task BindAsync(this RabbitMqBroker broker, string queue, string topic = Topic)
    {
        await using var connection = await broker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, Exchange, topic);
    }

    public static string NewQueue() => "composegate-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The stream's announcements as the API lists them.</summary>
    public static async Task<JsonElement[]> AnnouncementsAsync(this HttpClient client, string stream, string? outcome = null, int limit = 500) =>
        (await client.GetFromJsonAsync<JsonElement[]>($"/api/v1/streams/{stream}/announcements?limit={limit}{(outcome is null ? "" : "&outcome=" + outcome)}"))!;

    /// <summary>How many announcements have a final outcome, over all streams.</summary>
    public static async Task<int> HandledAsync(this HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/bus")).GetProperty("outcomes").EnumerateObject()
            .Where(o => o.Name != "processing").Sum(o => o.Value.GetInt32());

    /// <summary>Every candidate of the stream, following the pages.</summary>
    public static async Task<List<string>> CandidateIdsAsync(this HttpClient client, string stream)
    {
        var ids = new List<string>();
        var next = $"/api/v1/candidates?stream={stream}&limit=200";
        while (next is not null)
        {
            var page = await client.GetFromJsonAsync<JsonElement>(next);
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
            next = page.GetProperty("next").ValueKind == JsonValueKind.String ? page.GetProperty("next").GetString() : null;
        }
        return ids;
    }

    /// <summary>
    /// Checks the outcome of a burst: every message recorded exactly once with a final outcome, and every FINISHED
    /// compose of the stream a candidate exactly once.
    /// </summary>
    public static async Task AssertHandledExactlyOnceAsync(this HttpClient client, string stream, AnnouncementBurst burst)
    {
        var all = new List<JsonElement>();
        JsonElement[] page;
        do
        {
            var before = all.Count == 0 ? "" : $"&before={all[^1].GetProperty("id").GetInt64()}";
            page = (await client.GetFromJsonAsync<JsonElement[]>($"/api/v1/streams/{stream}/announcements?limit=500{before}"))!;
            all.AddRange(page);
        }
        while (page.Length == 500);
        Assert.Equal(burst.Messages.Count, all.Count);
        var ids = all.Select(a => a.GetProperty("messageId").GetString()!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.DoesNotContain(all, a => a.GetProperty("outcome").GetString() == "processing");
        var candidates = await client.CandidateIdsAsync(stream);
        Assert.Equal(burst.Finished.Order(), candidates.Order());
    }

    /// <summary>Waits until <paramref name="done"/> holds; the limit only stops a hung test.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> done, string what, int seconds = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException($"Waited {seconds} s for {what}.");
            }
            await Task.Delay(100);
        }
    }
}

/// <summary>A burst of pungi announcements for one stream (<paramref name="prefix"/>: digits that keep bursts apart): every fifth a FINISHED compose written to disk, the rest STARTED, DOOMED or another stream's.</summary>
internal sealed class AnnouncementBurst
{
    public AnnouncementBurst(string composes, int count, string prefix)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"Fedora-Rawhide-20261121.n.{prefix}{i:D4}";
            var (composeId, status) = (i % 5) switch
            {
                0 => (id, "FINISHED"),
                1 => (id, "STARTED"),
                2 => ($"Fedora-ELN-20261121.n.{prefix}{i:D4}", "FINISHED"),
                3 => (id, "DOOMED"),
                _ => (id, "TERMINATED"),
            };
            if (i % 5 == 0)
            {
                new TestCompose(composeId, BusTestKit.Packages).WriteTo(composes);
                Finished.Add(composeId);
            }
            Messages.Add((BusTestKit.Topic, BusTestKit.Pungi(composeId, status, Path.Combine(composes, composeId, "compose")), $"{prefix}-{i:D4}"));
        }
    }

    public List<(string RoutingKey, string Body, string MessageId)> Messages { get; } = [];

    /// <summary>The composes that must each become exactly one candidate.</summary>
    public List<string> Finished { get; } = [];
}

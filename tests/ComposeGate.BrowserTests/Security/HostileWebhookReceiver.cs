using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ComposeGate.BrowserTests.Security;

/// <summary>
/// A webhook receiver on loopback that refuses every delivery with a status line whose reason phrase is hostile text,
/// the way a compromised or careless receiver could: that text ends up in the promotion's error and the issue body.
/// A raw socket, because web servers do not let a handler choose such a reason phrase.
/// </summary>
internal sealed class HostileWebhookReceiver : IDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();

    private HostileWebhookReceiver(TcpListener listener)
    {
        this.listener = listener;
        _ = Task.Run(AcceptAsync);
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/promote");

    public static HostileWebhookReceiver Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new HostileWebhookReceiver(listener);
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private static async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            var request = new StringBuilder();
            // Read the head and the announced body so the client sees a clean answer, not a reset.
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }
                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var text = request.ToString();
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    var length = text.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } header
                        ? int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
                        : 0;
                    if (text.Length - end - 4 >= length)
                    {
                        break;
                    }
                }
            }
            var answer = $"HTTP/1.1 400 {HostileText.Payload("webhook-reason")}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(answer));
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
    }
}

using System.Net;
using System.Net.Sockets;

namespace ComposeGate.BrowserTests.Shell;

/// <summary>
/// A TCP relay on loopback between the browser and the app that a test can cut like a network: every open connection
/// is reset at once and new ones are reset as they arrive, until the link is restored. Chromium's offline emulation
/// cannot stand in for this: it leaves open WebSockets, such as the page's circuit, running.
/// </summary>
public sealed class LoopbackLink : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int targetPort;
    private readonly HashSet<Socket> open = [];
    private readonly CancellationTokenSource stop = new();
    private volatile bool cut;

    public LoopbackLink(int targetPort)
    {
        this.targetPort = targetPort;
        listener.Start();
        _ = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

    public void Cut()
    {
        cut = true;
        lock (open)
        {
            foreach (var socket in open)
            {
                Reset(socket);
            }
            open.Clear();
        }
    }

    public void Restore() => cut = false;

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        Cut();
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (cut)
            {
                Reset(client);
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, targetPort);
        }
        catch (SocketException)
        {
            Reset(client);
            server.Dispose();
            return;
        }
        lock (open)
        {
            open.Add(client);
            open.Add(server);
        }
        await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        lock (open)
        {
            open.Remove(client);
            open.Remove(server);
        }
        client.Dispose();
        server.Dispose();
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
            // A clean end on one side is passed on as one, so the last bytes of a response are not lost.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Reset(from);
            Reset(to);
        }
    }

    /// <summary>Closes with an RST, as a dropped network looks to both ends.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}

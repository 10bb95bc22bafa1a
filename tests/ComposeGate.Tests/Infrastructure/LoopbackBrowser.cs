using System.Net;
using System.Net.Sockets;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// A browser's HTTP side over a real socket to a server on this machine: keeps cookies, does not follow redirects,
/// and connects from <c>source</c>, another loopback address (127.0.0.x), so the server sees another client.
/// </summary>
public static class LoopbackBrowser
{
    public static HttpClient Create(Uri server, IPAddress? source = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = server };
}

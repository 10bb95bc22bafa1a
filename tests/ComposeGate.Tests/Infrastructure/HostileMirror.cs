using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// A compose mirror that fights back, as a real HTTP server on loopback: each path answers the way a test sets it
/// (endless bodies generated on the fly, bodies trickled a byte at a time, lying Content-Lengths, redirects anywhere,
/// custom reason phrases), next to ordinary composes. It counts the body bytes it managed to send per path, so a test
/// can show the client stopped reading.
/// </summary>
public sealed class HostileMirror : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> sent = new(StringComparer.Ordinal);

    private HostileMirror(WebApplication app) => this.app = app;

    public Uri Address { get; private set; } = null!;

    public static async Task<HostileMirror> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var mirror = new HostileMirror(app);
        app.Run(context => mirror.routes.TryGetValue(context.Request.Path.Value ?? "", out var handler)
            ? handler(context)
            : Status(context, StatusCodes.Status404NotFound));
        await app.StartAsync();
        mirror.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return mirror;
    }

    /// <summary>The absolute URL of <paramref name="path"/> on this mirror.</summary>
    public string Url(string path) => new Uri(Address, path).ToString();

    /// <summary>Body bytes written to <paramref name="path"/> so far (over every request).</summary>
    public long SentTo(string path) => sent.GetValueOrDefault(path);

    public void Map(string path, Func<HttpContext, Task> handler) => routes[path] = handler;

    public void Text(string path, string text, int status = StatusCodes.Status200OK) => Map(path, async context =>
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = status;
        context.Response.ContentLength = bytes.Length;
        await Write(context, path, bytes);
    });

    /// <summary>Publishes <paramref name="compose"/> as pungi does under <c>/{folder}/</c>.</summary>
    public void Compose(string folder, TestCompose compose, string status = "FINISHED")
    {
        Text($"/{folder}/STATUS", status + "\n");
        Text($"/{folder}/compose/metadata/composeinfo.json", compose.ComposeInfoJson());
        Text($"/{folder}/compose/metadata/rpms.json", compose.RpmsJson());
    }

    /// <summary>
    /// <paramref name="bytes"/> bytes of <paramref name="fill"/>, made up as they are sent (never held), without a
    /// Content-Length, at most about 64 MB/s.
    /// </summary>
    public void Endless(string path, long bytes, byte fill = (byte)'A') => Map(path, async context =>
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, fill);
        for (long left = bytes; left > 0; left -= chunk.Length)
        {
            await Write(context, path, chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
            // Kestrel takes writes to a connection that is already gone without complaint until it notices (RequestAborted),
            // at memory speed on a busy machine: the pause keeps SentTo close to what really left.
            await Task.Delay(1, context.RequestAborted);
        }
    });

    /// <summary>Sends <paramref name="text"/> one byte every <paramref name="pause"/>, with an honest Content-Length.</summary>
    public void Trickle(string path, string text, TimeSpan pause) => Map(path, async context =>
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.ContentLength = bytes.Length;
        foreach (var b in bytes)
        {
            await Write(context, path, new[] { b });
            await Task.Delay(pause, context.RequestAborted);
        }
    });

    /// <summary>Announces a Content-Length of <paramref name="length"/>, sends the headers, then nothing until the client goes.</summary>
    public void ClaimLength(string path, long length) => Map(path, async context =>
    {
        context.Response.ContentLength = length;
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        await Task.Delay(Timeout.Infinite, context.RequestAborted);
    });

    public void Redirect(string path, string location, int status = StatusCodes.Status302Found) => Map(path, context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    });

    /// <summary>Answers <paramref name="status"/> with the server's own <paramref name="reasonPhrase"/> and body.</summary>
    public void Fail(string path, int status, string reasonPhrase, string body) => Map(path, async context =>
    {
        context.Response.StatusCode = status;
        context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reasonPhrase;
        await Write(context, path, Encoding.UTF8.GetBytes(body));
    });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task Write(HttpContext context, string path, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            context.RequestAborted.ThrowIfCancellationRequested();
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            sent.AddOrUpdate(path, bytes.Length, (_, total) => total + bytes.Length);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client hung up: that is what the tests want to see.
            context.Abort();
            throw new OperationCanceledException("The client went away.", e);
        }
    }

    private static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>A subscriber on loopback that records every webhook POST and can refuse the first few.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int refusalsLeft;

    private WebhookReceiver(WebApplication app, Uri address, int refusals)
    {
        this.app = app;
        Address = address;
        refusalsLeft = refusals;
    }

    public Uri Address { get; }
    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string Event, string Delivery, string Signature, string Body, int Status);

    public static async Task<WebhookReceiver> StartAsync(int refusals = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var status = Interlocked.Decrement(ref receiver!.refusalsLeft) >= 0 ? 500 : 204;
            receiver.Requests.Enqueue(new Received(request.Headers["X-ComposeGate-Event"].ToString(), request.Headers["X-ComposeGate-Delivery"].ToString(),
                request.Headers["X-ComposeGate-Signature"].ToString(), body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        receiver = new WebhookReceiver(app, address, refusals);
        return receiver;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

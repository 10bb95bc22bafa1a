using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on loopback publishing a folder with directory listings, the way a compose mirror
/// (composes.stream.centos.org, kojipkgs) serves its tree.
/// </summary>
public sealed class StaticFileServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private StaticFileServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Serves <paramref name="root"/>; <paramref name="beforeServing"/> runs first for every request (a test holds requests there).</summary>
    public static async Task<StaticFileServer> StartAsync(string root, Func<HttpContext, Task>? beforeServing = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDirectoryBrowser();
        var app = builder.Build();
        if (beforeServing is not null)
        {
            app.Use(async (context, next) =>
            {
                await beforeServing(context);
                await next(context);
            });
        }
        app.UseFileServer(new FileServerOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            EnableDirectoryBrowsing = true,
            StaticFileOptions = { ServeUnknownFileTypes = true },
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StaticFileServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

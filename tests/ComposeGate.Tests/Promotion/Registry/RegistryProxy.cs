using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComposeGate.Tests.Promotion.Registry;

/// <summary>How <see cref="RegistryProxy"/> guards the registry.</summary>
public enum ProxyAuth
{
    /// <summary>Everything passes.</summary>
    None,

    /// <summary>Token auth as Docker Hub and Quay do it: 401 with a Bearer challenge, tokens from <c>/token</c>.</summary>
    Token,

    /// <summary>401 with <c>Basic realm</c>; the configured user and password on every request.</summary>
    Basic,
}

/// <summary>One request the proxy saw: method, path, whether it carried Authorization, the status sent.</summary>
public sealed record ProxiedRequest(string Method, string Path, string? Authorization, int Status);

/// <summary>
/// A registry front on Kestrel at 127.0.0.1:0 that forwards to the real registry and adds what the tests need:
/// token or Basic auth (the token server at <c>/token</c> checks HTTP Basic, issues opaque tokens for the scopes asked
/// and requires a push scope for writes), blob downloads redirected to another host name (<c>localhost</c>, like a
/// registry sending clients to its storage), faults (a status or a delay for the next requests), tampered manifests,
/// and a record of every request.
/// </summary>
public sealed partial class RegistryProxy : IAsyncDisposable
{
    public const string Service = "test-registry";
    public const string Username = "ci-bot";
    public const string Password = "correct-horse-battery";

    private readonly WebApplication app;
    private readonly string upstream;
    private readonly HttpClient forward = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly ConcurrentDictionary<string, string[]> issued = new();
    private readonly ConcurrentQueue<Fault> faults = new();

    private RegistryProxy(WebApplication app, string upstream, ProxyAuth auth)
    {
        this.app = app;
        this.upstream = upstream;
        Auth = auth;
    }

    public ProxyAuth Auth { get; }

    /// <summary>host:port of the proxy; configure the client for this registry.</summary>
    public string Address { get; private set; } = "";

    /// <summary>Token lifetime announced in <c>expires_in</c>.</summary>
    public int TokenLifetimeSeconds { get; set; } = 300;

    /// <summary>Token requests without credentials get pull-only tokens (a public repository).</summary>
    public bool AllowAnonymousPull { get; set; }

    /// <summary>Manifest GETs get a space appended to the body while <c>Docker-Content-Digest</c> stays as it was.</summary>
    public bool TamperManifests { get; set; }

    /// <summary>Registry requests (under <c>/v2/</c>), in order.</summary>
    public ConcurrentQueue<ProxiedRequest> Requests { get; } = new();

    /// <summary>Requests that followed a blob redirect to the storage host.</summary>
    public ConcurrentQueue<ProxiedRequest> StorageRequests { get; } = new();

    /// <summary>The scopes of every token request, and whether it carried credentials.</summary>
    public ConcurrentQueue<(string[] Scopes, bool WithCredentials)> TokenRequests { get; } = new();

    private sealed record Fault(int Status, TimeSpan Delay, int? RetryAfterSeconds);

    public static async Task<RegistryProxy> StartAsync(string upstream, ProxyAuth auth)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new RegistryProxy(app, upstream, auth);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        proxy.Address = $"127.0.0.1:{address.Port}";
        return proxy;
    }

    /// <summary>The next <paramref name="count"/> registry requests get <paramref name="status"/> (after <paramref name="delay"/>) instead of an answer.</summary>
    public void Fail(int count, int status, int? retryAfterSeconds = null, TimeSpan? delay = null)
    {
        for (var i = 0; i < count; i++)
        {
            faults.Enqueue(new Fault(status, delay ?? TimeSpan.Zero, retryAfterSeconds));
        }
    }

    public int Count(string method) => Requests.Count(r => r.Method == method);

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        forward.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var authorization = context.Request.Headers.Authorization.FirstOrDefault();
        if (path == "/token")
        {
            await IssueTokenAsync(context);
            return;
        }
        if (path.StartsWith("/storage/", StringComparison.Ordinal))
        {
            await ForwardAsync(context, "/v2/" + path["/storage/".Length..]);
            StorageRequests.Enqueue(new ProxiedRequest(context.Request.Method, path, authorization, context.Response.StatusCode));
            return;
        }
        try
        {
            if (faults.TryDequeue(out var fault))
            {
                await Task.Delay(fault.Delay, context.RequestAborted);
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await ErrorAsync(context, fault.Status, fault.Status == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE", "injected fault");
                return;
            }
            if (!await AuthorizedAsync(context, path, authorization))
            {
                return;
            }
            var match = RegistryPath().Match(path);
            if (context.Request.Method == "GET" && match.Success && match.Groups["kind"].Value == "blobs")
            {
                // Another host name for the same server: credentials must not follow the client there.
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = $"http://localhost:{Address.Split(':')[1]}/storage/{path["/v2/".Length..]}";
                return;
            }
            await ForwardAsync(context, path);
        }
        finally
        {
            Requests.Enqueue(new ProxiedRequest(context.Request.Method, path, authorization, context.Response.StatusCode));
        }
    }

    private async Task<bool> AuthorizedAsync(HttpContext context, string path, string? authorization)
    {
        var write = context.Request.Method is not ("GET" or "HEAD");
        var repository = RegistryPath().Match(path) is { Success: true } m ? m.Groups["name"].Value : null;
        switch (Auth)
        {
            case ProxyAuth.Token:
                if (authorization is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal)
                    && issued.TryGetValue(header["Bearer ".Length..], out var scopes)
                    && (repository is null || scopes.Any(s => Allows(s, repository, write ? "push" : "pull"))))
                {
                    return true;
                }
                var scope = repository is null ? "" : $",scope=\"repository:{repository}:{(write ? "pull,push" : "pull")}\"";
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"http://{Address}/token\",service=\"{Service}\"{scope}";
                break;
            case ProxyAuth.Basic:
                if (authorization == BasicHeader(Username, Password))
                {
                    return true;
                }
                context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Service}\"";
                break;
            default:
                return true;
        }
        await ErrorAsync(context, StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "authentication required");
        return false;
    }

    private static bool Allows(string scope, string repository, string action)
    {
        var parts = scope.Split(':');
        return parts.Length == 3 && parts[0] == "repository" && parts[1] == repository && parts[2].Split(',').Contains(action);
    }

    private async Task IssueTokenAsync(HttpContext context)
    {
        var scopes = context.Request.Query["scope"].Select(s => s ?? "").ToArray();
        var authorization = context.Request.Headers.Authorization.FirstOrDefault();
        TokenRequests.Enqueue((scopes, authorization is not null));
        if (context.Request.Query["service"] != Service)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "UNSUPPORTED", "unknown service");
            return;
        }
        if (authorization is null && AllowAnonymousPull)
        {
            scopes = scopes.Select(s => Regex.Replace(s, ":[^:]*$", ":pull")).ToArray();
        }
        else if (authorization != BasicHeader(Username, Password))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "incorrect username or password");
            return;
        }
        var token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        issued[token] = scopes;
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["token"] = token,
            ["expires_in"] = TokenLifetimeSeconds,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("O"),
        });
    }

    private async Task ForwardAsync(HttpContext context, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), $"http://{upstream}{path}{context.Request.QueryString}");
        foreach (var accept in context.Request.Headers.Accept)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            request.Content = new ByteArrayContent(body.ToArray());
            if (context.Request.ContentType is { } type)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            }
        }
        using var response = await forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is not ("Transfer-Encoding" or "Connection" or "Keep-Alive" or "Content-Length"))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (TamperManifests && context.Request.Method == "GET" && RegistryPath().Match(path) is { Success: true } m && m.Groups["kind"].Value == "manifests")
        {
            bytes = [.. bytes, (byte)' '];
        }
        context.Response.ContentLength = context.Request.Method == "HEAD" ? response.Content.Headers.ContentLength : bytes.Length;
        if (context.Request.Method != "HEAD")
        {
            await context.Response.Body.WriteAsync(bytes);
        }
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.Serialize(new { errors = new[] { new { code, message } } });
        return context.Response.WriteAsync(body);
    }

    public static string BasicHeader(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [GeneratedRegex("^/v2/(?<name>.+)/(?<kind>manifests|blobs|tags)/")]
    private static partial Regex RegistryPath();
}

using System.Net;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Access;

namespace ComposeGate.Tests.Security;

/// <summary>
/// The app behind a reverse proxy that ends TLS, as the README deploys it: with <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>
/// the proxy's <c>X-Forwarded-Proto: https</c> makes https the app's own scheme, so its cookies are Secure, and the
/// page's https origin is ours for cookie API writes (and passkeys) while the plain-http one is not.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BehindProxyTests : IAsyncLifetime
{
    private readonly string dataDir = Directory.CreateTempSubdirectory("composegate-proxy-").FullName;
    private AppProcess app = null!;

    public async Task InitializeAsync() =>
        app = await AppProcess.StartAsync(dataDir, AppProcess.FreePort(), new Dictionary<string, string>
        {
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
        });

    public Task DisposeAsync()
    {
        app.Dispose();
        Directory.Delete(dataDir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SignIn_ThroughTheProxy_SetsSecureCookiesAndHttpsOriginWritesAreOurs()
    {
        using var browser = TlsProxy.Browser(app.Address);
        var response = await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith("ComposeGate.Session=", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));

        var https = await browser.SendAsync(JobRun($"https://{app.Address.Authority}"));
        var plain = await browser.SendAsync(JobRun($"http://{app.Address.Authority}"));

        Assert.Equal(HttpStatusCode.Accepted, https.StatusCode);
        Assert.Equal(ApiOriginCheck.Refusal, (await Problem.ReadAsync(plain, HttpStatusCode.Forbidden)).Detail);
    }

    [Fact]
    public async Task Request_WithoutTheProxyHeader_StaysPlainHttp()
    {
        using var direct = new HttpClient { BaseAddress = app.Address };

        var response = await direct.GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(response.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    private static HttpRequestMessage JobRun(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs/decision-refresh/run");
        request.Headers.Add("Origin", origin);
        return request;
    }

    /// <summary>
    /// What the browser sends through a TLS-ending proxy: every request arrives with <c>X-Forwarded-Proto: https</c>, and
    /// the Secure cookies the app sets go back (the browser speaks https to the proxy; only the proxy's hop is http).
    /// </summary>
    private sealed class TlsProxy : DelegatingHandler
    {
        private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);

        private TlsProxy() : base(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { }

        public static HttpClient Browser(Uri server) => new(new TlsProxy()) { BaseAddress = server };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            request.Headers.Add("X-Forwarded-Proto", "https");
            if (cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
            }
            var response = await base.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var pair in set.Select(c => c.Split(';')[0].Split('=', 2)))
                {
                    cookies[pair[0]] = pair[1];
                }
            }
            return response;
        }
    }
}

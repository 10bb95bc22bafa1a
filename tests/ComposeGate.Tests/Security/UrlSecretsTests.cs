using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Bus;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComposeGate.Tests.Security;

/// <summary>Masking itself: userinfo and secret-looking query parameters, everything else kept as written.</summary>
public sealed class UrlSecretsMaskTests
{
    [Theory]
    [InlineData("http://mirror:s3cr3t-pw@127.0.0.1:8080/composes/?token=t0k3n-value", "http://mirror:***@127.0.0.1:8080/composes/?token=***")]
    [InlineData("https://glpat-0123456789@gitlab.example.com/api/v4", "https://***@gitlab.example.com/api/v4")]
    [InlineData("amqps://fedora:@rabbitmq.fedoraproject.org/%2Fpublic_pubsub", "amqps://fedora:***@rabbitmq.fedoraproject.org/%2Fpublic_pubsub")]
    [InlineData("https://u:p@ss@host.example/x", "https://u:***@host.example/x")]
    [InlineData("https://host.example/a?PRIVATE_TOKEN=abc&page=2", "https://host.example/a?PRIVATE_TOKEN=***&page=2")]
    [InlineData("https://b.s3.example/k?X-Amz-Credential=AKIA%2F1&X-Amz-Expires=300&X-Amz-Signature=f00&X-Amz-Security-Token=t",
        "https://b.s3.example/k?X-Amz-Credential=***&X-Amz-Expires=300&X-Amz-Signature=***&X-Amz-Security-Token=***")]
    [InlineData("https://h/x?api_key=1&apikey=2&key=3&secret=4&password=5&passwd=6&pwd=7&auth=8&sig=9&signature=10&credential=11&X-Goog-Signature=12&access_token=13&client_secret=14",
        "https://h/x?api_key=***&apikey=***&key=***&secret=***&password=***&passwd=***&pwd=***&auth=***&sig=***&signature=***&credential=***&X-Goog-Signature=***&access_token=***&client_secret=***")]
    [InlineData("https://h/cb#access_token=abc&state=7", "https://h/cb#access_token=***&state=7")]
    [InlineData("https://h/x?id=7&name=token&sort=key", "https://h/x?id=7&name=token&sort=key")]
    [InlineData("https://h/img/logo@2x.png", "https://h/img/logo@2x.png")]
    [InlineData("mirror:pw@host/composes", "mirror:***@host/composes")]
    [InlineData("/srv/composes/latest-CentOS-Stream", "/srv/composes/latest-CentOS-Stream")]
    [InlineData("file:///srv/composes", "file:///srv/composes")]
    [InlineData("quay.io/team/app:main", "quay.io/team/app:main")]
    public void Apply_MasksSecretsAndKeepsTheRest(string url, string masked)
    {
        Assert.Equal(masked, UrlSecrets.Apply(url));
        Assert.Equal(masked, UrlSecrets.Apply(masked));
    }

    [Fact]
    public void Apply_Null_IsNull() => Assert.Null(UrlSecrets.Apply(null));

    [Fact]
    public void ApplyWithin_MasksEveryUrlInATextAndKeepsThePunctuation()
    {
        var text = "GET http://u:pw1@h/x?token=abc. failed; then (https://h2/?key=k3y), \"ftp://a:pw2@f/\" and /srv/x?token=local";

        Assert.Equal("GET http://u:***@h/x?token=***. failed; then (https://h2/?key=***), \"ftp://a:***@f/\" and /srv/x?token=local",
            UrlSecrets.ApplyWithin(text));
    }

    [Theory]
    [InlineData("http://mirror:***@h/c/", true)]
    [InlineData("http://***@h/c/", true)]
    [InlineData("http://h/c/?a=1&token=***", true)]
    [InlineData("http://h/c/?token=t0k", false)]
    [InlineData("http://h/c/", false)]
    public void HasMaskedParts_TellsAMaskedUrl(string url, bool masked) => Assert.Equal(masked, UrlSecrets.HasMaskedParts(url));
}

/// <summary>
/// A stream polls a mirror through a URL with a password and a token, a bot ingests through another, an announcement
/// names a third, webhooks and a promotion call URLs with their own secrets, and a source fails: none of those
/// secrets shows up in an API answer, a page, any text in the database, the log, or what webhook receivers get.
/// </summary>
public sealed class UrlSecretsTests(UrlSecretsTests.Scenario scenario) : IClassFixture<UrlSecretsTests.Scenario>
{
    private const string Stream = "secret";
    private const string PolledId = "CentOS-Stream-10-20261210.0";
    private const string PostedId = "CentOS-Stream-10-20261211.0";
    private const string AnnouncedId = "CentOS-Stream-10-20261212.0";
    private const string MissingId = "CentOS-Stream-10-20261213.0";

    private static readonly string[] Secrets =
    [
        "s3cr3t-pw", "t0k3n-value", "an0ther-pw", "pr1v-t0k", "4nn0unce-pw", "4nn-t0k", "m4lf0rm3d-pw", "f41l-pw", "f41l-t0k",
        "p0ll-f41l", "h00k-pw", "h00k-s1g", "pr0m0-k3y",
    ];

    private static readonly TestPackage[] Packages = [new("bash", "0:5.2.26-4.el10", "bash")];

    /// <summary>The app with its log captured.</summary>
    public sealed class LoggedApp : ComposeGateFactory
    {
        public LogCapture Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<LogCapture>(_ => true));
        }
    }

    /// <summary>Everything happens once; each test looks at one place the secrets could have reached.</summary>
    public sealed class Scenario : IAsyncLifetime
    {
        private readonly string top = Path.Combine(Path.GetTempPath(), "composegate-url-secrets", Guid.NewGuid().ToString("N"));
        private StaticFileServer? mirror;

        public LoggedApp App { get; } = new();
        public WebhookReceiver Receiver { get; private set; } = null!;
        public string PostProblem { get; private set; } = "";
        public string RetryProblem { get; private set; } = "";

        public async Task InitializeAsync()
        {
            new TestCompose(PolledId, Packages).WriteTo(Path.Combine(top, "composes"));
            new TestCompose(PostedId, Packages).WriteTo(Path.Combine(top, "composes-api"));
            new TestCompose(AnnouncedId, Packages).WriteTo(Path.Combine(top, "composes-api"));
            mirror = await StaticFileServer.StartAsync(top);
            Receiver = await WebhookReceiver.StartAsync();
            var port = mirror.Address.Port;
            var hook = Receiver.Address.Port;
            App.Settings["ComposeGate:Forge:Enabled"] = "true";
            App.Settings[$"ComposeGate:Streams:{Stream}:Source:ComposeUrl"] = $"http://mirror:s3cr3t-pw@127.0.0.1:{port}/composes/?token=t0k3n-value";
            App.Settings[$"ComposeGate:Streams:{Stream}:Source:Schedule"] = "0 0 0 29 2 ?";
            App.Settings[$"ComposeGate:Streams:{Stream}:Webhooks:0:Url"] = $"http://hook:h00k-pw@127.0.0.1:{hook}/hook?signature=h00k-s1g";
            App.Settings[$"ComposeGate:Streams:{Stream}:Webhooks:0:Secret"] = "stream-hook-secret-0123";
            App.Settings[$"ComposeGate:Streams:{Stream}:Promotion:0:Webhook:Url"] = $"http://127.0.0.1:{hook}/hook?api_key=pr0m0-k3y";
            App.Settings[$"ComposeGate:Streams:{Stream}:Promotion:0:Webhook:Secret"] = "promotion-hook-secret-0123";
            App.Settings["ComposeGate:Streams:failing:Source:ComposeUrl"] = $"http://u:p0ll-f41l@127.0.0.1:{AppProcess.FreePort()}/x/?token=p0ll-f41l";
            App.Settings["ComposeGate:Streams:failing:Source:Schedule"] = "0 0 0 29 2 ?";
            using var admin = App.CreateAdminClient();

            var poller = App.Services.GetRequiredService<SourcePoller>();
            Assert.Contains($"ingested {PolledId}", await poller.PollAsync(Stream, CancellationToken.None));
            Assert.Contains("could not be read", await poller.PollAsync("failing", CancellationToken.None));

            var posted = await admin.PostAsJsonAsync($"/api/v1/streams/{Stream}/candidates",
                new { url = $"http://bot:an0ther-pw@127.0.0.1:{port}/composes-api/{PostedId}/?private_token=pr1v-t0k" });
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            var refused = await admin.PostAsJsonAsync($"/api/v1/streams/{Stream}/candidates",
                new { url = $"http://x:f41l-pw@127.0.0.1:{port}/missing/?token=f41l-t0k" });
            PostProblem = (await Problem.ReadAsync(refused, HttpStatusCode.UnprocessableEntity)).Detail!;

            await AnnounceAsync(port);

            Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync($"/api/v1/streams/{Stream}/policy",
                new StringContent("requires:\n  - testcase: t_functional\n", Encoding.UTF8, "text/yaml"))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/candidates/{PostedId}/results",
                new { testcase = "t_functional", outcome = "PASSED" })).StatusCode);
            await admin.WaitForStatusAsync(PostedId, "promoted");
            await WaitForWebhooksAsync();
        }

        public async Task DisposeAsync()
        {
            await Receiver.DisposeAsync();
            await mirror!.DisposeAsync();
            App.Dispose();
            Directory.Delete(top, recursive: true);
        }

        /// <summary>
        /// Announcements naming locations with credentials: one is ingested, one is not there (failed), one is not even
        /// an http(s) URL (malformed).
        /// </summary>
        private async Task AnnounceAsync(int port)
        {
            var handler = App.Services.GetRequiredService<AnnouncementHandler>();
            var settings = new AmqpSourceSettings { Url = "amqp://127.0.0.1/", Queue = "q", ComposeIdPattern = "^CentOS-Stream-10-", RetrySeconds = 0 };
            const string topic = "org.centos.prod.pungi.compose.status.change";
            var good = $$"""{"compose_id": "{{AnnouncedId}}", "status": "FINISHED", "location": "http://ann:4nn0unce-pw@127.0.0.1:{{port}}/composes-api/{{AnnouncedId}}/compose?token=4nn-t0k"}""";
            var missing = $$"""{"compose_id": "{{MissingId}}", "status": "FINISHED", "location": "http://ann:4nn0unce-pw@127.0.0.1:{{port}}/composes-api/{{MissingId}}/compose?token=4nn-t0k"}""";
            var bad = $$"""{"compose_id": "{{AnnouncedId}}", "status": "FINISHED", "location": "ftp://u:m4lf0rm3d-pw@127.0.0.1/{{AnnouncedId}}/compose"}""";
            await handler.HandleAsync(Stream, settings, new BusDelivery("good", topic, Encoding.UTF8.GetBytes(good), false), CancellationToken.None);
            await handler.HandleAsync(Stream, settings, new BusDelivery("missing", topic, Encoding.UTF8.GetBytes(missing), false), CancellationToken.None);
            await handler.HandleAsync(Stream, settings, new BusDelivery("bad", topic, Encoding.UTF8.GetBytes(bad), false), CancellationToken.None);
        }

        /// <summary>Drives the webhook sender (it runs on the test clock) until the stream's first event is delivered.</summary>
        private async Task WaitForWebhooksAsync()
        {
            for (var i = 0; i < 100 && !Receiver.Requests.Any(r => r.Event == "candidate.created" && r.Status == 204); i++)
            {
                await Task.Delay(100);
                App.Clock.Advance(TimeSpan.FromSeconds(2));
            }
            Assert.Contains(Receiver.Requests, r => r.Event == "candidate.created" && r.Status == 204);
            Assert.Contains(Receiver.Requests, r => r.Event == "candidate.promoting" && r.Status == 204);
        }
    }

    private LoggedApp App => scenario.App;

    [Theory]
    [InlineData("/api/v1/streams", "mirror:***@")]
    [InlineData($"/api/v1/streams/{Stream}", "token=***")]
    [InlineData("/api/v1/streams/failing", "u:***@")]
    [InlineData("/api/v1/candidates", PolledId)]
    [InlineData($"/api/v1/candidates/{PostedId}", "bot:***@")]
    [InlineData($"/api/v1/candidates/{PolledId}", "mirror:***@")]
    [InlineData($"/api/v1/candidates/{PostedId}/events", "private_token=***")]
    [InlineData($"/api/v1/candidates/{PostedId}/promotion", "api_key=***")]
    [InlineData("/api/v1/jobs", "mirror:***@")]
    [InlineData("/api/v1/bus", "ann:***@")]
    [InlineData($"/api/v1/streams/{Stream}/announcements", "ftp://u:***@")]
    [InlineData($"/api/v1/streams/{Stream}/webhook-deliveries", "hook:***@")]
    public async Task Api_Answers_ShowMaskedUrlsOnly(string path, string shown)
    {
        using var admin = App.CreateAdminClient();

        var body = await admin.GetStringAsync(path);

        AssertNoSecret(path, body);
        Assert.Contains(shown, body);
    }

    [Fact]
    public void Api_RefusedIngest_NamesTheMaskedUrl()
    {
        AssertNoSecret("the 422 answer", scenario.PostProblem);
        Assert.Contains("x:***@", scenario.PostProblem);
    }

    [Fact]
    public async Task Api_RetryOfAFailedAnnouncementWhoseLocationHadCredentials_IsRefusedRatherThanFetchedMasked()
    {
        using var admin = App.CreateAdminClient();
        var rows = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/streams/{Stream}/announcements")).EnumerateArray().ToList();
        var ingested = rows.Single(r => r.GetProperty("outcome").GetString() == "ingested");
        var failed = rows.Single(r => r.GetProperty("outcome").GetString() == "failed");

        var retry = await admin.PostAsync($"/api/v1/streams/{Stream}/announcements/{failed.GetProperty("id").GetInt64()}/retry", null);

        Assert.Contains("token=***", ingested.GetProperty("reason").GetString());
        Assert.Contains("ann:***@", failed.GetProperty("location").GetString());
        Assert.Contains("credentials, which are not kept", (await Problem.ReadAsync(retry, HttpStatusCode.Conflict)).Detail);
    }

    [Theory]
    [InlineData("/streams", "mirror:***@")]
    [InlineData($"/candidates/{PostedId}", "bot:***@")]
    [InlineData("/jobs", "mirror:***@")]
    [InlineData("/", "u:***@")]
    public async Task Pages_ShowMaskedUrlsOnly(string path, string shown)
    {
        using var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword)).StatusCode);

        var html = WebUtility.HtmlDecode(await browser.GetStringAsync(path));

        AssertNoSecret(path, html);
        Assert.Contains(shown, html);
    }

    [Fact]
    public async Task Database_NoTextInAnyRowHoldsASecret()
    {
        var texts = new List<(string Where, string Text)>();
        var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(App.DataDir, "composegate.db"), Mode = SqliteOpenMode.ReadOnly }.ToString();
        await using var db = new SqliteConnection(connection);
        await db.OpenAsync();
        var tables = new List<string>();
        await using (var list = db.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        foreach (var table in tables)
        {
            await using var select = db.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"")}\"";
            await using var rows = await select.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                for (var i = 0; i < rows.FieldCount; i++)
                {
                    switch (rows.GetValue(i))
                    {
                        case string text:
                            texts.Add(($"{table}.{rows.GetName(i)}", text));
                            break;
                        case byte[] bytes:
                            texts.Add(($"{table}.{rows.GetName(i)}", Encoding.UTF8.GetString(bytes)));
                            break;
                    }
                }
            }
        }

        foreach (var (where, text) in texts)
        {
            AssertNoSecret(where, text);
        }
        // The scan read the rows that hold these URLs, masked.
        Assert.Contains(texts, t => t.Where == "Candidates.SourceUrl" && t.Text.Contains("bot:***@", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Where == "SourcePolls.LastError" && t.Text.Contains("u:***@", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Where == "Announcements.Body" && t.Text.Contains("ftp://u:***@", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Where == "WebhookDeliveries.Url" && t.Text.Contains("signature=***", StringComparison.Ordinal));
    }

    [Fact]
    public void Log_HoldsNoSecret()
    {
        var entries = App.Logs.Entries;

        foreach (var entry in entries)
        {
            AssertNoSecret("the log", entry);
        }
        Assert.Contains(entries, e => e.Contains("Checking the source of failing at http://u:***@", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    [Fact]
    public void Webhooks_ReceiversGetMaskedSourcesOnly()
    {
        var bodies = scenario.Receiver.Requests.Select(r => r.Body).ToList();

        foreach (var body in bodies)
        {
            AssertNoSecret("a webhook body", body);
        }
        Assert.Contains(bodies, b => b.Contains("bot:***@", StringComparison.Ordinal));
    }

    private static void AssertNoSecret(string where, string text)
    {
        foreach (var secret in Secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} holds '{secret}': {Excerpt(text, secret)}");
        }
    }

    private static string Excerpt(string text, string secret)
    {
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        return text[Math.Max(0, at - 200)..Math.Min(text.Length, at + 100)];
    }
}

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using ComposeGate.BrowserTests.Security;
using Microsoft.Playwright;

namespace ComposeGate.BrowserTests;

/// <summary>
/// The app on a real loopback port (Kestrel) with its own data folder, and Debian's Chromium driven by
/// Playwright. Playwright never downloads a browser here.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string AdminPassword = "Browser-Admin-2026";
    public const string AdminToken = "cg-browser-tests-bootstrap-token-0123456789";
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "composegate-browser", Guid.NewGuid().ToString("N"));
    private AppFactory? factory;
    private HostileWebhookReceiver? hostileReceiver;
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The running app's services, for setting up what a test needs (users) without clicking.</summary>
    public IServiceProvider Services => factory!.Services;
    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (the README's test command does).");
        }
        hostileReceiver = HostileWebhookReceiver.Start();
        factory = new AppFactory(dataDir, hostileReceiver.Url);
        factory.UseKestrel(0);
        factory.StartServer();
        BaseAddress = factory.ClientOptions.BaseAddress;

        playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(playwright);
    }

    /// <summary>Debian's Chromium, headless.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Without the networking switches Chromium keeps calling out to Google, which this network refuses.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });

    /// <summary>A fresh browser context (its own cookies) on a page of the app.</summary>
    public Task<IPage> NewPageAsync() => NewPageAsync(Browser, BaseAddress);

    /// <summary>A fresh browser context (its own cookies) on a page of the app at <paramref name="baseAddress"/>.</summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, Uri baseAddress)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the real form and waits for the interactive dashboard.</summary>
    public async Task<IPage> SignInAsync(string user = "admin", string password = AdminPassword)
    {
        var page = await NewPageAsync();
        await SignInAsync(page, user, password);
        return page;
    }

    /// <summary>Signs in on a page a test has prepared (init scripts, exposed functions).</summary>
    public static async Task SignInAsync(IPage page, string user = "admin", string password = AdminPassword)
    {
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Input\\.UserName", user);
        await page.FillAsync("#Input\\.Password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await WaitInteractiveAsync(page);
    }

    /// <summary>
    /// A click on prerendered HTML is lost; the layout flags when the circuit rendered it. The flag stays in the page
    /// while the connection is down, so the circuit is live only when the reconnection dialog is closed too.
    /// </summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.WaitForSelectorAsync("body:not(:has(#components-reconnect-modal[open])) .cg-shell[data-interactive=true]");

    public HttpClient CreateApiClient(string? bearer = AdminToken)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public async Task DisposeAsync()
    {
        // Close the browser before the server, or Kestrel waits 30 s for the open circuits.
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        playwright?.Dispose();
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }
        hostileReceiver?.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private sealed class AppFactory(string dataDir, Uri hostileWebhook) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Development serves the static web assets (blazor.web.js, Radzen, our CSS) from the build output.
            builder.UseEnvironment("Development");
            builder.UseSetting("ComposeGate:DataDir", dataDir);
            builder.UseSetting("ComposeGate:Bootstrap:AdminPassword", AdminPassword);
            builder.UseSetting("ComposeGate:Bootstrap:AdminToken", AdminToken);
            // The tests bring their own composes; the Development demo stream would only slow them down.
            builder.UseSetting("ComposeGate:Demo:Enabled", "false");
            // A stream whose description is hostile and whose promotion calls a receiver that answers with hostile text.
            builder.UseSetting($"ComposeGate:Streams:{HostileText.Stream}:Description", HostileText.Payload("stream-description"));
            builder.UseSetting($"ComposeGate:Streams:{HostileText.Stream}:Promotion:0:Webhook:Url", hostileWebhook.ToString());
            builder.UseSetting($"ComposeGate:Streams:{HostileText.Stream}:Promotion:0:Webhook:Secret", "hostile-receiver-secret-0123456789");
            // The tests write their composes to these folders; the app reads local composes only under allowed roots.
            string[] roots = ["composegate-browser-composes", "composegate-live", "composegate-bus-ui", "composegate-mr", "composegate-hostile"];
            for (var i = 0; i < roots.Length; i++)
            {
                builder.UseSetting($"ComposeGate:Sources:AllowedRoots:{i}", Path.Combine(Path.GetTempPath(), roots[i]));
            }
            // Every test signs in from 127.0.0.1; the default budget (10 attempts, one more a minute) is for attackers.
            builder.UseSetting("ComposeGate:SignIn:AttemptLimit", "200");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

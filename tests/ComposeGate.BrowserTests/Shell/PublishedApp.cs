using System.Diagnostics;
using ComposeGate.Tests.Infrastructure;
using Microsoft.Playwright;

// The publish takes both cores for a minute and the reconnection tests time a server restart: the two collections run
// one after the other rather than beside each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ComposeGate.BrowserTests.Shell;

/// <summary>
/// The web project published once (Release) into a temporary folder, as an operator deploys it — in Production the app
/// serves its static assets only from publish output — and Chromium to drive it. Tests run it as its own process, so
/// they can kill it, with only the settings the README lists.
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    public const string AdminPassword = "Published-Admin-2026";
    public const string AdminToken = "cg-published-tests-bootstrap-token-0123456789";

    private readonly string root = Path.Combine(Path.GetTempPath(), "composegate-published", Guid.NewGuid().ToString("N"));
    private IPlaywright? playwright;

    public string Folder => Path.Combine(root, "app");
    public string WebRoot => Path.Combine(Folder, "wwwroot");
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await PublishAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await BrowserFixture.LaunchChromiumAsync(playwright);
    }

    /// <summary>A fresh data folder, removed with the fixture.</summary>
    public string NewDataDir() => Directory.CreateDirectory(Path.Combine(root, "data", Guid.NewGuid().ToString("N"))).FullName;

    public Task<AppProcess> StartAsync(string dataDir, int port) =>
        AppProcess.StartDllAsync(Path.Combine(Folder, "ComposeGate.Web.dll"), port, new Dictionary<string, string>
        {
            ["ComposeGate:DataDir"] = dataDir,
            ["ComposeGate:Bootstrap:AdminPassword"] = AdminPassword,
            ["ComposeGate:Bootstrap:AdminToken"] = AdminToken,
        });

    public static HttpClient CreateAdminClient(Uri address)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        playwright?.Dispose();
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task PublishAsync()
    {
        var project = Path.Combine(AppProcess.RepositoryRoot(), "src", "ComposeGate.Web", "ComposeGate.Web.csproj");
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", Folder, "--nologo", "--disable-build-servers", "-clp:ErrorsOnly"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Under dotnet test the host inherits the test run's MSBuild variables, which would steer the nested build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish took more than 10 minutes:\n{await output}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed with {process.ExitCode}:\n{await output}\n{await errors}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PublishedCollection : ICollectionFixture<PublishedApp>
{
    public const string Name = "published";
}

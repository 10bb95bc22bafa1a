namespace ComposeGate.Tests.Infrastructure;

/// <summary>The integration tests' way to run the app: the web project's build output with their bootstrap admin.</summary>
public sealed partial class AppProcess
{
    public const string AdminToken = ComposeGateFactory.AdminToken;

    public static Task<AppProcess> StartAsync(string dataDir, int port, IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ComposeGate:DataDir"] = dataDir,
            ["ComposeGate:Bootstrap:AdminToken"] = AdminToken,
            ["ComposeGate:Bootstrap:AdminPassword"] = ComposeGateFactory.AdminPassword,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        return StartDllAsync(WebDll(), port, environment);
    }

    public HttpClient CreateAdminClient()
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return client;
    }

    /// <summary>The web project's own build output, built by the same configuration as these tests.</summary>
    private static string WebDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "src", "ComposeGate.Web", "bin", configuration, framework, "ComposeGate.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
    }
}

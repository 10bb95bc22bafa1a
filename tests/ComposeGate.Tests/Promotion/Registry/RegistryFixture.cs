using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Promotion.Registry;

namespace ComposeGate.Tests.Promotion.Registry;

/// <summary>The kinds of image <see cref="RegistryFixture.PushImageAsync"/> can push.</summary>
public enum TestImageFormat
{
    /// <summary>One OCI image manifest (linux/amd64).</summary>
    OciManifest,

    /// <summary>An OCI index over linux/amd64 and linux/arm64/v8 manifests.</summary>
    OciIndex,

    /// <summary>One Docker v2 schema 2 manifest (skopeo <c>--format v2s2</c>).</summary>
    DockerManifest,

    /// <summary>A Docker manifest list over two Docker v2 manifests.</summary>
    DockerManifestList,
}

/// <summary>What a tag resolves to, as the registry reports it on HEAD.</summary>
public sealed record TaggedManifest(string Digest, string MediaType);

/// <summary>
/// Debian's real registry (<c>docker-registry</c>, the CNCF distribution registry) on a free loopback port with its
/// own storage folder, and <c>skopeo</c> to push small images built here as OCI layouts. One registry for the whole
/// collection; tests keep apart by using their own repository names (<see cref="NewRepository"/>).
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string RegistryBinary = "/usr/bin/docker-registry";

    private readonly string root = Path.Combine(Path.GetTempPath(), "composegate-registry", Guid.NewGuid().ToString("N"));
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ProcessOutput output = new();
    private Process? process;
    private string skopeo = "";

    /// <summary>host:port of the registry, e.g. <c>127.0.0.1:5123</c>; images are <c>{Address}/{repository}</c>.</summary>
    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        skopeo = FindOnPath("skopeo") ?? "";
        if (!File.Exists(RegistryBinary) || skopeo.Length == 0)
        {
            throw new InvalidOperationException(
                $"The registry tests need {RegistryBinary} and skopeo: apt-get install -y docker-registry skopeo (build/test.sh installs them).");
        }
        Directory.CreateDirectory(Path.Combine(root, "storage"));

        // A free port can be taken between the probe and the registry's bind: try a few.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = AppProcess.FreePort();
            var config = Path.Combine(root, "config.yml");
            await File.WriteAllTextAsync(config, $"""
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: {Path.Combine(root, "storage")}
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:{port}
                  secret: composegate-tests
                """);
            Address = $"127.0.0.1:{port}";
            process = Start(RegistryBinary, ["serve", config]);
            if (await WaitReadyAsync(process))
            {
                return;
            }
            Stop();
        }
        throw new InvalidOperationException($"docker-registry did not start:\n{output}");
    }

    /// <summary>A client for this registry, built the way the app builds it (its own handler, no DI).</summary>
    public RegistryClient CreateClient() => CreateClient(Address);

    /// <summary>A client with <paramref name="settings"/> for <paramref name="registry"/> (host:port).</summary>
    public static RegistryClient CreateClient(string registry, RegistryHostOptions? settings = null, TimeProvider? time = null)
    {
        var options = new RegistryOptions();
        if (settings is not null)
        {
            options.Hosts[registry] = settings;
        }
        return new RegistryClient(new HttpClient(RegistryClient.CreateHandler()), Microsoft.Extensions.Options.Options.Create(options), time: time);
    }

    /// <summary>A repository name no other test uses.</summary>
    public static string NewRepository(string prefix = "test") => $"{prefix}/{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>
    /// Builds an image whose only file holds <paramref name="content"/> (different content, different digest), pushes it
    /// as <paramref name="repository"/>:<paramref name="tag"/> with skopeo, and returns the digest the registry now
    /// serves for the tag (skopeo may rewrite the manifest on the way).
    /// </summary>
    public async Task<string> PushImageAsync(string repository, string tag, string content, TestImageFormat format = TestImageFormat.OciManifest)
    {
        var layout = Path.Combine(root, "layouts", Guid.NewGuid().ToString("N"));
        var multiArch = format is TestImageFormat.OciIndex or TestImageFormat.DockerManifestList;
        TestImageLayout.Write(layout, content, multiArch);
        try
        {
            List<string> arguments = ["copy", "--quiet", "--insecure-policy", "--dest-tls-verify=false"];
            if (multiArch)
            {
                arguments.Add("--all");
            }
            if (format is TestImageFormat.DockerManifest or TestImageFormat.DockerManifestList)
            {
                arguments.AddRange(["--format", "v2s2"]);
            }
            arguments.AddRange([$"oci:{layout}:{TestImageLayout.RefName}", $"docker://{Address}/{repository}:{tag}"]);
            await RunAsync(skopeo, arguments);
        }
        finally
        {
            Directory.Delete(layout, recursive: true);
        }
        return await TagDigestAsync(repository, tag) ?? throw new InvalidOperationException($"{repository}:{tag} is missing after the push.");
    }

    /// <summary>The digest <paramref name="tag"/> resolves to (HEAD with every manifest type accepted), or null when it does not exist.</summary>
    public async Task<string?> TagDigestAsync(string repository, string tag) => (await TagAsync(repository, tag))?.Digest;

    /// <summary>The digest and media type <paramref name="reference"/> (tag or digest) resolves to, or null on 404.</summary>
    public async Task<TaggedManifest?> TagAsync(string repository, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{Address}/v2/{repository}/manifests/{reference}");
        foreach (var type in RegistryClient.ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return new TaggedManifest(response.Headers.GetValues("Docker-Content-Digest").Single(), response.Content.Headers.ContentType!.MediaType!);
    }

    public Task DisposeAsync()
    {
        Stop();
        http.Dispose();
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        return Task.CompletedTask;
    }

    private async Task<bool> WaitReadyAsync(Process registry)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !registry.HasExited)
        {
            try
            {
                using var response = await http.GetAsync($"http://{Address}/v2/");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        return false;
    }

    private Process Start(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var started = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        started.OutputDataReceived += (_, e) => output.Append(e.Data);
        started.ErrorDataReceived += (_, e) => output.Append(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        return started;
    }

    private void Stop()
    {
        if (process is null)
        {
            return;
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        process.Dispose();
        process = null;
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var run = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await run.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish in 120 s.");
        }
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', info.ArgumentList)} failed ({run.ExitCode}):\n{await stdout}{await stderr}");
        }
    }


    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}

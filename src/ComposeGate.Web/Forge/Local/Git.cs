using System.Diagnostics;
using System.Text;

namespace ComposeGate.Web.Forge.Local;

/// <summary>The git CLI on a bare repository (LibGit2Sharp's native parts are not available here).</summary>
public sealed class Git(string repository)
{
    public string Repository { get; } = repository;

    public Task<string> RunAsync(params string[] args) => RunAsync(args, input: null, environment: null);

    /// <summary>Runs git; a non-zero exit is a <see cref="GitException"/> with git's own message.</summary>
    public async Task<string> RunAsync(IReadOnlyList<string> args, string? input, IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct = default)
    {
        var result = await TryRunAsync(args, input, environment, ct);
        return result.ExitCode == 0
            ? result.Output
            : throw new GitException($"git {string.Join(' ', args)} failed ({result.ExitCode}): {result.Error.Trim()}");
    }

    public async Task<GitResult> TryRunAsync(IReadOnlyList<string> args, string? input = null, IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken ct = default)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("--git-dir");
        start.ArgumentList.Add(Repository);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Deterministic, non-interactive git whatever the machine's configuration says.
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["HOME"] = Path.GetTempPath();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new GitException("git could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync(ct);
        return new GitResult(process.ExitCode, await output, await error);
    }
}

public sealed record GitResult(int ExitCode, string Output, string Error);

public sealed class GitException(string message) : Exception(message);

using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// Runs an operator's program (a mirror sync, a chat notification) with the candidate's facts in environment
/// variables (<c>COMPOSEGATE_*</c>), standard input closed, output captured (the tail is kept), killed with its
/// children when it overruns its time. A non-zero exit fails the promotion. A resumed promotion runs an
/// interrupted command again (<c>COMPOSEGATE_STEP_TRY</c> tells it), so commands should be safe to repeat.
/// </summary>
public sealed class CommandAction : IPromotionAction
{
    /// <summary>Output kept per step: the end of a long log is what explains a failure.</summary>
    public const int MaxOutput = 64 * 1024;

    /// <summary>Heads output whose beginning was dropped to stay within <see cref="MaxOutput"/>.</summary>
    public const string Dropped = "[… earlier output dropped]";

    public string Kind => "Command";

    public static string Describe(CommandSettings settings) =>
        $"Run {settings.Path}{(settings.Args.Count == 0 ? "" : " " + string.Join(' ', settings.Args))}";

    public async Task<string> RunAsync(PromotionStepContext step, CancellationToken ct)
    {
        var settings = JsonSerializer.Deserialize<CommandSettings>(step.Settings, JsonSerializerOptions.Web)!;
        var start = new ProcessStartInfo(settings.Path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in settings.Args)
        {
            start.ArgumentList.Add(arg);
        }
        // The app's own settings (tokens, secrets) given as environment variables are not the script's business.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ComposeGate", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(inherited);
        }
        foreach (var (name, value) in Environment(step))
        {
            start.Environment[name] = value;
        }

        var output = new BoundedLog(MaxOutput);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PromotionStepException($"{settings.Path} could not be started: {e.Message}", transient: false);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            if (ct.IsCancellationRequested)
            {
                throw;
            }
            throw new PromotionStepException($"{settings.Path} did not finish within {settings.TimeoutSeconds} s and was killed.", transient: false, output.ToString());
        }
        // WaitForExit without a timeout also waits for the output to be read to its end.
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new PromotionStepException($"{settings.Path} exited with code {process.ExitCode}.", transient: false, output.ToString());
        }
        return output.ToString();
    }

    /// <summary>The candidate's facts, for the operator's script.</summary>
    public static IEnumerable<(string Name, string Value)> Environment(PromotionStepContext step)
    {
        var candidate = step.Candidate;
        yield return ("COMPOSEGATE_CANDIDATE", candidate.Id);
        yield return ("COMPOSEGATE_STREAM", candidate.Stream);
        yield return ("COMPOSEGATE_KIND", candidate.Kind.ToString().ToLowerInvariant());
        yield return ("COMPOSEGATE_ATTEMPT", step.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("COMPOSEGATE_STEP", step.Position.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("COMPOSEGATE_STEP_TRY", step.Try.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (candidate.SourceUrl is not null)
        {
            yield return ("COMPOSEGATE_SOURCE", candidate.SourceUrl);
        }
        if (candidate.Image is not null)
        {
            yield return ("COMPOSEGATE_IMAGE", candidate.Image);
        }
        if (candidate.Tag is not null)
        {
            yield return ("COMPOSEGATE_TAG", candidate.Tag);
        }
        if (candidate.Digest is not null)
        {
            yield return ("COMPOSEGATE_DIGEST", candidate.Digest);
        }
    }

    /// <summary>Lines of output, keeping the last <c>limit</c> characters (the end of a log explains a failure).</summary>
    private sealed class BoundedLog(int limit)
    {
        private readonly LinkedList<string> lines = new();
        private readonly Lock gate = new();
        private int length;
        private bool trimmed;

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (gate)
            {
                lines.AddLast(line);
                length += line.Length + 1;
                while (length > limit && lines.Count > 1)
                {
                    length -= lines.First!.Value.Length + 1;
                    lines.RemoveFirst();
                    trimmed = true;
                }
            }
        }

        public override string ToString()
        {
            lock (gate)
            {
                var text = new StringBuilder();
                if (trimmed)
                {
                    text.AppendLine(Dropped);
                }
                foreach (var line in lines)
                {
                    text.AppendLine(line);
                }
                return text.ToString();
            }
        }
    }
}

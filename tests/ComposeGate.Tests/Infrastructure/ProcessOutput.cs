using System.Text;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>What a helper process (a broker, a registry) printed, its first 64 KiB, for a failing test's message.</summary>
public sealed class ProcessOutput
{
    public const int Limit = 64 * 1024;

    private readonly StringBuilder text = new();

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (text)
        {
            if (text.Length < Limit)
            {
                text.AppendLine(line);
            }
        }
    }

    public void Clear()
    {
        lock (text)
        {
            text.Clear();
        }
    }

    public override string ToString()
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}

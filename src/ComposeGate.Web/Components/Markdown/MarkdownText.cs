using System.Text;

namespace ComposeGate.Web.Components.Markdown;

/// <summary>
/// Puts text that is not meant as Markdown — a scenario, a reason, an error a webhook receiver sent — into Markdown
/// that we build (merge request notes, issue bodies), so it reads exactly as written and cannot add links, images,
/// tables or formatting of its own, here or on GitLab.
/// </summary>
public static class MarkdownText
{
    /// <summary>Inline text: every ASCII punctuation character escaped, line breaks folded to spaces.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c is '\r' or '\n')
            {
                escaped.Append(' ');
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == ' ' || c > '\u007f' || char.IsControl(c))
            {
                escaped.Append(char.IsControl(c) ? ' ' : c);
            }
            else
            {
                // CommonMark lets a backslash escape any ASCII punctuation, and only that.
                escaped.Append('\\').Append(c);
            }
        }
        return escaped.ToString();
    }

    /// <summary>An inline code span holding <paramref name="text"/> verbatim, fenced by more backticks than it contains.</summary>
    public static string Code(string? text)
    {
        var content = (text ?? "").ReplaceLineEndings(" ");
        var fence = new string('`', LongestRun(content, '`') + 1);
        // A space on both sides keeps a leading or trailing backtick from joining the fence; CommonMark strips one.
        var pad = content.StartsWith('`') || content.EndsWith('`') || content.Length == 0 ? " " : "";
        return fence + pad + content + pad + fence;
    }

    /// <summary>A fenced code block holding <paramref name="text"/> verbatim, however many backticks it contains.</summary>
    public static string Block(string? text)
    {
        var content = (text ?? "").TrimEnd('\r', '\n');
        var fence = new string('`', Math.Max(3, LongestRun(content, '`') + 1));
        return $"{fence}\n{content}\n{fence}\n";
    }

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }
}

using Markdig;
using Markdig.Extensions.AutoLinks;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace ComposeGate.Web.Components.Markdown;

/// <summary>
/// The one Markdown renderer of the app. Anything rendered here may come from a bot or a stranger (results, notes,
/// issue bodies, checklist instructions), so it is built from the few extensions we need and nothing that writes
/// HTML of the author's choosing: raw HTML is shown as text, there is no attribute syntax, and every link and image
/// must point at http(s), mailto or a relative URL — anything else becomes plain text.
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseTaskLists()
        .UseAutoLinks(new AutoLinkOptions { OpenInNewWindow = false })
        .Build();

    private static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    /// <summary>The HTML for <paramref name="markdown"/>, safe to insert into a page.</summary>
    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrEmpty(markdown))
        {
            return "";
        }
        var document = Markdig.Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (!IsAllowed(link.Url))
            {
                Unlink(link);
            }
        }
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (!IsAllowed(autolink.Url))
            {
                autolink.ReplaceBy(new LiteralInline(autolink.Url), copyChildren: false);
            }
        }
        return document.ToHtml(Pipeline);
    }

    /// <summary>
    /// Whether a link target is http(s), mailto or relative, read the way a browser reads it: browsers drop ASCII
    /// tabs and newlines anywhere in a URL and control characters and spaces around it, so <c>java&#9;script:</c>
    /// is <c>javascript:</c> to them and must be to us.
    /// </summary>
    public static bool IsAllowed(string? url)
    {
        if (url is null)
        {
            return true;
        }
        Span<char> cleaned = url.Length <= 512 ? stackalloc char[url.Length] : new char[url.Length];
        var length = 0;
        foreach (var c in url)
        {
            if (c > ' ' && c != '\u007f')
            {
                cleaned[length++] = c;
            }
        }
        var target = cleaned[..length];
        var colon = target.IndexOf(':');
        if (colon < 0)
        {
            return true;
        }
        var scheme = target[..colon];
        // A colon after the first '/', '?' or '#' belongs to a relative path, query or fragment, not a scheme.
        if (scheme.IndexOfAny('/', '?', '#') >= 0)
        {
            return true;
        }
        foreach (var allowed in AllowedSchemes)
        {
            if (scheme.Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A link keeps its text and loses its target; an image is replaced by its description.</summary>
    private static void Unlink(LinkInline link)
    {
        if (link.IsImage)
        {
            link.ReplaceBy(new LiteralInline(PlainText(link)), copyChildren: false);
            return;
        }
        var parent = link.Parent;
        if (parent is null)
        {
            return;
        }
        var child = link.FirstChild;
        while (child is not null)
        {
            var next = child.NextSibling;
            child.Remove();
            link.InsertBefore(child);
            child = next;
        }
        link.Remove();
    }

    private static string PlainText(ContainerInline container) =>
        string.Concat(container.Descendants<LiteralInline>().Select(l => l.Content.ToString()));
}

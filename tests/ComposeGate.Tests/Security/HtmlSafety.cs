using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace ComposeGate.Tests.Security;

/// <summary>
/// What "no script can run" means for a piece of HTML, checked the way a browser would read it: only harmless elements,
/// no event-handler attributes, and every URL attribute pointing at http(s), mailto or a relative target.
/// Written independently of the app's renderer, so a mistake in one is not repeated in the other.
/// </summary>
internal static class HtmlSafety
{
    /// <summary>Elements that never belong in rendered text someone wrote.</summary>
    private static readonly HashSet<string> NotInText = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "meta", "link", "style", "svg", "math",
        "template", "noscript", "textarea", "select", "button", "video", "audio", "source", "portal",
    };

    /// <summary>Elements a page of ours may hold (forms, buttons, icons) but never ones that load or run something else.</summary>
    private static readonly HashSet<string> NotInPages = new(StringComparer.OrdinalIgnoreCase)
    {
        "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
    };

    private static readonly string[] UrlAttributes = ["href", "src", "action", "formaction", "xlink:href", "srcset", "background", "poster", "data"];

    /// <summary>Every reason the fragment could run script; empty when it cannot.</summary>
    public static IReadOnlyList<string> Problems(string html)
    {
        var document = new HtmlParser().ParseDocument($"<!DOCTYPE html><html><body>{html}</body></html>");
        return Problems(document.Body!, NotInText);
    }

    /// <summary>The same for a whole page of ours: its own forms and buttons are fine, inline script is not.</summary>
    public static IReadOnlyList<string> PageProblems(IDocument page)
    {
        var problems = Problems(page.Body!, NotInPages).ToList();
        problems.AddRange(page.QuerySelectorAll("script:not([src])").Select(_ => "inline <script>"));
        problems.AddRange(page.QuerySelectorAll("[href^='javascript:' i], [src^='javascript:' i]").Select(e => $"javascript: URL on <{e.LocalName}>"));
        return problems;
    }

    private static IReadOnlyList<string> Problems(IElement root, HashSet<string> forbidden)
    {
        var problems = new List<string>();
        foreach (var element in root.QuerySelectorAll("*"))
        {
            if (forbidden.Contains(element.LocalName))
            {
                problems.Add($"<{element.LocalName}> element");
            }
            foreach (var attribute in element.Attributes)
            {
                if (attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{attribute.Name} attribute on <{element.LocalName}>");
                }
                if (UrlAttributes.Contains(attribute.Name, StringComparer.OrdinalIgnoreCase) && !IsHarmlessUrl(attribute.Value))
                {
                    problems.Add($"{attribute.Name}=\"{attribute.Value}\" on <{element.LocalName}>");
                }
                if (attribute.Name.Equals("style", StringComparison.OrdinalIgnoreCase) && attribute.Value.Contains("url(", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"style with url() on <{element.LocalName}>");
                }
            }
        }
        return problems;
    }

    /// <summary>The WHATWG URL parser drops tabs and newlines anywhere and trims controls and spaces; then the scheme decides.</summary>
    public static bool IsHarmlessUrl(string url)
    {
        var browser = new string(url.Where(c => c > ' ' && c != '\u007f').ToArray()).ToLowerInvariant();
        var colon = browser.IndexOf(':');
        var slash = browser.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (slash >= 0 && slash < colon))
        {
            return true;
        }
        return browser.StartsWith("http:", StringComparison.Ordinal) || browser.StartsWith("https:", StringComparison.Ordinal)
            || browser.StartsWith("mailto:", StringComparison.Ordinal);
    }
}

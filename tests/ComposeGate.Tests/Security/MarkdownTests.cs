using AngleSharp.Html.Parser;
using ComposeGate.Web.Components.Markdown;

namespace ComposeGate.Tests.Security;

/// <summary>The one Markdown renderer against what attackers write, and the escaping of text we put into our own Markdown.</summary>
public sealed class MarkdownTests
{
    /// <summary>Payloads that made live HTML with the old renderer, and their relatives.</summary>
    public static TheoryData<string> Hostile() => new()
    {
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div onmouseover=\"alert(1)\">hover</div>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "![x](https://example.invalid/x.png){onerror=alert(1)}",
        "![x](x){onerror=alert(1)}",
        "# Title {onclick=alert(1)}",
        "[click](x){onclick=alert(1) .cls #id}",
        "text {onmouseover=alert(1)}",
        "[a](javascript:alert(1))",
        "[a](JAVASCRIPT:alert(1))",
        "[a](  javascript:alert(1))",
        "[a](<javascript:alert(1)>)",
        "[a](java&#9;script:alert(1))",
        "[a](java&#10;script:alert(1))",
        "[a](&#106;avascript:alert(1))",
        "[a](&#x6A;avascript&#x3A;alert(1))",
        "[a](vbscript:msgbox(1))",
        "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![a](javascript:alert(1))",
        "<javascript:alert(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        "[a][r]\n\n[r]: javascript:alert(1)",
        "![a][r]\n\n[r]: data:image/png;base64,AAAA",
        "[x](https://ok.example \"t\\\" onmouseover=\\\"alert(1)\")",
        "[**bold *link*](javascript:alert(1))",
        "[![img](https://ok.example/a.png)](javascript:alert(1))",
        "`<script>alert(1)</script>`",
        "```html\n<script>alert(1)</script>\n```",
        "```\" onmouseover=\"alert(1)\n```",
        "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
        "- [x] <script>alert(1)</script>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<!-- <script>alert(1)</script> -->",
        "<details open ontoggle=alert(1)>",
        "javascript:alert(1)",
        "www.example.com/<script>",
        "ftp://example.invalid/x",
        "[a](//evil.example/x)",
        "\0<script>alert(1)</script>",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void ToHtml_HostileMarkdown_RendersNothingThatRuns(string markdown)
    {
        var html = SafeMarkdown.ToHtml(markdown);

        Assert.Empty(HtmlSafety.Problems(html));
    }

    [Theory]
    [InlineData("[docs](https://docs.example/a?b=1#c)", "a", "href", "https://docs.example/a?b=1#c")]
    [InlineData("[home](/candidates/X-1)", "a", "href", "/candidates/X-1")]
    [InlineData("[run](checklist-runs/4)", "a", "href", "checklist-runs/4")]
    [InlineData("[mail](mailto:releng@example.org)", "a", "href", "mailto:releng@example.org")]
    [InlineData("![shot](https://img.example/s.png)", "img", "src", "https://img.example/s.png")]
    [InlineData("see https://ci.example/job/1", "a", "href", "https://ci.example/job/1")]
    public void ToHtml_AllowedLinks_StayLinks(string markdown, string element, string attribute, string expected)
    {
        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml(markdown));

        Assert.Equal(expected, document.QuerySelector(element)?.GetAttribute(attribute));
    }

    [Theory]
    [InlineData("[open me](javascript:alert(1))", "open me")]
    [InlineData("![a screenshot](data:image/png;base64,AAAA)", "a screenshot")]
    [InlineData("<javascript:alert(1)>", "javascript:alert(1)")]
    public void ToHtml_RefusedLink_KeepsItsTextWithoutTarget(string markdown, string text)
    {
        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml(markdown));

        Assert.Null(document.QuerySelector("a, img"));
        Assert.Equal(text, document.Body!.TextContent.Trim());
    }

    [Fact]
    public void ToHtml_RawHtml_IsShownAsText()
    {
        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml("Before <b onclick=\"x()\">bold</b> after"));

        Assert.Null(document.QuerySelector("b"));
        Assert.Contains("<b onclick=\"x()\">bold</b>", document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ToHtml_WhatTheAppWrites_RendersAsBefore()
    {
        var html = SafeMarkdown.ToHtml("**ComposeGate:** satisfied\n\n| requirement | state |\n|---|---|\n| testcase `t` | passed |\n\n- [x] done\n\n~~gone~~\n\n```\nlog line\n```");
        var document = new HtmlParser().ParseDocument(html);

        Assert.NotNull(document.QuerySelector("strong"));
        Assert.Equal(2, document.QuerySelectorAll("tr").Length);
        Assert.Equal("t", document.QuerySelector("td code")?.TextContent);
        Assert.NotNull(document.QuerySelector("input[type=checkbox][disabled]"));
        Assert.NotNull(document.QuerySelector("del"));
        Assert.Equal("log line", document.QuerySelector("pre code")?.TextContent.Trim());
    }

    public static TheoryData<string> Texts() => new()
    {
        "plain words",
        "x86_64 *not emphasis* _nor this_ `nor code`",
        "[a](javascript:alert(1)) ![b](data:x) <javascript:alert(1)>",
        "<script>alert(1)</script> <img src=x onerror=alert(1)>",
        "{onerror=alert(1)} # not a heading | not | a table |",
        "1. not a list",
        "- nor this",
        "> nor a quote",
        "see https://example.org and www.example.org",
        "back\\slash \\* &amp; &#106; ~~strike~~ @all",
        "0:5.2.26-4.el10 → 1:2.0-1",
        "ümlaut 🚀 中文",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Escape_AnyText_ReadsExactlyAsWritten(string text)
    {
        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml($"Reason: {MarkdownText.Escape(text)}"));

        Assert.Equal($"Reason: {text}", document.Body!.TextContent.Trim());
        Assert.Equal(["P"], document.Body.QuerySelectorAll("*").Select(e => e.TagName).ToArray());
    }

    [Fact]
    public void Escape_LineBreaks_AreFoldedSoTextCannotStartABlock()
    {
        var html = SafeMarkdown.ToHtml("Reason: " + MarkdownText.Escape("first\n# heading\n\n| a | b |\n|---|---|"));

        Assert.DoesNotContain("<h1", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<table", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rdo.tempest.smoke")]
    [InlineData("a`b")]
    [InlineData("``double`` and `single`")]
    [InlineData("`leading and trailing`")]
    [InlineData("<script>alert(1)</script>")]
    public void Code_AnyText_IsOneCodeSpanHoldingIt(string text)
    {
        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml($"testcase {MarkdownText.Code(text)} failed"));

        Assert.Equal(text, Assert.Single(document.QuerySelectorAll("code")).TextContent);
        Assert.Equal($"testcase {text} failed", document.Body!.TextContent.Trim());
    }

    [Fact]
    public void Block_OutputWithFences_StaysInsideTheBlock()
    {
        var output = "step 1\n```\n</code></pre><script>alert(1)</script>\n````\n# after";

        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml("Output:\n" + MarkdownText.Block(output) + "\nAfter."));

        Assert.Equal(output, Assert.Single(document.QuerySelectorAll("pre code")).TextContent.TrimEnd('\n'));
        Assert.Null(document.QuerySelector("h1"));
        Assert.Equal("After.", document.QuerySelectorAll("p").Last().TextContent);
    }

    [Fact]
    public void Escape_InATableCell_KeepsTheTableShape()
    {
        var row = $"| {MarkdownText.Escape("x86_64 | injected | cells")} | failed |";

        var document = new HtmlParser().ParseDocument(SafeMarkdown.ToHtml("| scenario | state |\n|---|---|\n" + row));

        var cells = document.QuerySelectorAll("tbody td").Select(c => c.TextContent).ToArray();
        Assert.Equal(["x86_64 | injected | cells", "failed"], cells);
    }
}

using Markdig;
using Microsoft.AspNetCore.Components;

namespace ComposeGate.Web.Features.Checklists;

/// <summary>Checklist instructions are Markdown written by admins; raw HTML in them is not rendered.</summary>
internal static class Markdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml().Build();

    public static MarkupString ToHtml(string? markdown) => new(Markdig.Markdown.ToHtml(markdown ?? "", Pipeline));
}

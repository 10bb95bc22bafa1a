using AngleSharp.Html.Parser;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>Fills in and submits the app's static server-rendered forms as a browser does, antiforgery token included.</summary>
public static class HtmlForms
{
    /// <summary>
    /// Loads <paramref name="page"/>, takes the form named <paramref name="formName"/> (Blazor's <c>FormName</c>, sent as
    /// <c>_handler</c>) with its hidden fields, sets <paramref name="fields"/> and posts it back to the page.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient browser, string page, string formName,
        IReadOnlyDictionary<string, string> fields) =>
        await browser.PostFormAsync(page, await browser.GetStringAsync(page), formName, fields);

    /// <summary>As <see cref="SubmitFormAsync"/>, for a page already loaded as <paramref name="html"/> (a script ran on it meanwhile).</summary>
    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient browser, string page, string html, string formName,
        IReadOnlyDictionary<string, string> fields)
    {
        var document = new HtmlParser().ParseDocument(html);
        var form = document.QuerySelectorAll("form[method=post]")
            .Single(f => f.QuerySelector($"input[name=_handler][value='{formName}']") is not null);
        var values = form.QuerySelectorAll("input[type=hidden]")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }
        return browser.PostAsync(page, new FormUrlEncodedContent(values));
    }
}

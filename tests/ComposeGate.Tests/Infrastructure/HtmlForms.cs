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
        IReadOnlyDictionary<string, string> fields)
    {
        var document = new HtmlParser().ParseDocument(await browser.GetStringAsync(page));
        var form = document.QuerySelectorAll("form[method=post]")
            .Single(f => f.QuerySelector($"input[name=_handler][value='{formName}']") is not null);
        var values = form.QuerySelectorAll("input[type=hidden]")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }
        return await browser.PostAsync(page, new FormUrlEncodedContent(values));
    }
}

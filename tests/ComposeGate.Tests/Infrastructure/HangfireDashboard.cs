using System.Net;
using System.Text.RegularExpressions;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>What the dashboard's buttons do: their script posts the job ids with the page's antiforgery token.</summary>
public static partial class HangfireDashboard
{
    /// <summary>Opens <paramref name="page"/> and posts <paramref name="command"/> (e.g. <c>/hangfire/recurring/trigger</c>) for the jobs.</summary>
    public static async Task<HttpResponseMessage> CommandAsync(HttpClient browser, string page, string command, params string[] jobs)
    {
        var html = await browser.GetStringAsync(page);
        var header = Header().Match(html);
        var token = Token().Match(html);
        Assert.True(header.Success && token.Success, $"{page} carries no antiforgery token.");
        var request = new HttpRequestMessage(HttpMethod.Post, command)
        {
            Content = new FormUrlEncodedContent(jobs.Select(job => new KeyValuePair<string, string>("jobs[]", job))),
        };
        request.Headers.Add(WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value));
        return await browser.SendAsync(request);
    }

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex Header();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex Token();
}

using System.Net;
using System.Net.Http.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ComposeGate.Tests.Security;

/// <summary>Every answer, page or not, carries the headers that stop a browser from running or sniffing what it did not come for.</summary>
public sealed class SecurityHeadersTests(SignedInFactory app) : IClassFixture<SignedInFactory>
{
    public static TheoryData<string> Anonymous() => new()
    {
        "/Account/Login",
        "/Account/AccessDenied",
        "/",
        "/candidates",
        "/no-such-page",
        "/api/v1/streams",
        "/api/v1/no-such-endpoint",
        "/healthz",
        "/openapi/v1.json",
        "/css/composegate.css",
    };

    [Theory]
    [MemberData(nameof(Anonymous))]
    public async Task Get_AnyAnswerToAnonymous_CarriesTheSecurityHeaders(string path)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        AssertHeaders(await client.GetAsync(path));
    }

    public static TheoryData<string> Pages() => new()
    {
        "/", "/candidates", "/streams", "/jobs", "/issues", "/policies", "/checklists", "/packages", "/api-reference", "/admin/tokens", "/admin/users",
        "/Account/Manage", "/Account/Manage/ChangePassword",
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Get_SignedInPage_CarriesTheSecurityHeadersAndNoInlineScript(string path)
    {
        var response = await app.Browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertHeaders(response);
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        // Every script is a file of ours: the policy would refuse anything inline, so none may be needed.
        Assert.Empty(HtmlSafety.PageProblems(document));
    }

    [Fact]
    public async Task Post_ApiErrorAnswer_CarriesTheSecurityHeaders()
    {
        using var admin = app.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/v1/streams", new { name = "", kind = "nonsense" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertHeaders(response);
    }

    private static void AssertHeaders(HttpResponseMessage response)
    {
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());
        Assert.Equal(["'self'"], directives["script-src"]);
        Assert.Equal(["'none'"], directives["object-src"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.Equal(["'self'"], directives["base-uri"]);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }
}

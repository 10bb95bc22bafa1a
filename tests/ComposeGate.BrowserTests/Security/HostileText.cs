namespace ComposeGate.BrowserTests.Security;

/// <summary>
/// The text an attacker stores: each would call <c>pwned()</c> if it reached the page as HTML or as Markdown with
/// attributes, javascript: or data: links. It starts with a marker so a test can see the field was really shown.
/// </summary>
internal static class HostileText
{
    public const string Stream = "hostile";

    public static string Marker(string field) => $"XSS-{field}";

    public static string Payload(string field) =>
        $"{Marker(field)} <img src=x onerror=pwned()> ![i](x){{onerror=pwned()}} [j](javascript:pwned()) <svg onload=pwned()> [k](data:text/html,x)";
}

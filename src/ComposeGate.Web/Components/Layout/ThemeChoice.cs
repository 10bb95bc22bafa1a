namespace ComposeGate.Web.Components.Layout;

/// <summary>
/// Light or dark, remembered in a cookie. The server reads it while prerendering so a dark-theme user
/// never sees a light flash before the circuit starts.
/// </summary>
internal static class ThemeChoice
{
    public const string CookieName = "ComposeGateTheme";
    public const string Light = "material";
    public const string Dark = "material-dark";
    public const string CascadeName = "InitialTheme";

    public static string FromRequest(HttpContext? context) =>
        context?.Request.Cookies[CookieName] == Dark ? Dark : Light;
}

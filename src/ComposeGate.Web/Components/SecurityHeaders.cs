namespace ComposeGate.Web.Components;

/// <summary>
/// Headers every response carries, so that even if text someone wrote slipped past the renderer, the browser would
/// still refuse to run it: the pages load script only from our own files (no inline script, no eval, no javascript:
/// URLs — Blazor Server needs none of them), cannot be framed, and are never content-sniffed.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self'; " +
        // Blazor and the component library set style attributes; styles cannot run script.
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: https:; " +
        "font-src 'self' data:; " +
        // 'self' covers the circuit's WebSocket to the same host.
        "connect-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            // Set as the response starts, after an exception handler or status-code page may have cleared the headers.
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        return app;
    }
}

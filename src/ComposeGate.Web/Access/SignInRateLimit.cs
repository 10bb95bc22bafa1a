using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Access;

/// <summary>
/// Limits sign-in attempts per client address, so nobody can guess passwords quickly or keep someone's account
/// locked out. Only <c>POST /Account/Login</c> counts; the form itself stays free to load.
/// </summary>
internal static class SignInRateLimit
{
    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignInOptions>().Bind(configuration.GetSection(SignInOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignInOptions>, SignInOptionsValidator>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsAttempt(context.Request)
                ? RateLimitPartition.GetTokenBucketLimiter(ClientOf(context), _ => BucketFor(context))
                : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    private static bool IsAttempt(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && request.Path.StartsWithSegments("/Account/Login", StringComparison.OrdinalIgnoreCase, out var rest)
        && rest.Value is null or "" or "/";

    private static TokenBucketRateLimiterOptions BucketFor(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<SignInOptions>>().Value;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.AttemptLimit,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = options.AttemptRefill,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>
    /// The client's address; for IPv6 its /64, because one machine usually holds a whole /64 and could otherwise
    /// start afresh from a new address at every attempt.
    /// </summary>
    private static string ClientOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }
        return address.ToString();
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var response = rejected.HttpContext.Response;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? retryAfter
            : rejected.HttpContext.RequestServices.GetRequiredService<IOptions<SignInOptions>>().Value.AttemptRefill;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.ContentType = "text/html; charset=utf-8";
        // A person meets this in the browser after submitting the form, so it is a page rather than an empty 429.
        await response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Too many sign-in attempts · ComposeGate</title></head>
            <body>
            <main>
            <h1>Too many sign-in attempts</h1>
            <p role="alert">Too many sign-in attempts came from your address. Wait {seconds} seconds, then try again.</p>
            <p><a href="/Account/Login">Back to sign in</a></p>
            </main>
            </body>
            </html>
            """, ct);
    }
}

using System.Text.Json;
using ComposeGate.Access;
using ComposeGate.Data;
using ComposeGate.Web.Data;
using ComposeGate.Web.Access;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ComposeGate.Web.Features.Health;

/// <summary>
/// <c>GET /healthz</c>: 200 when the app and its database answer (<c>degraded</c> while a message-bus link is down), 503
/// otherwise. Anyone sees the status of each check; only signed-in people and tokens (Viewer+) see the descriptions and
/// details, which name broker endpoints and carry error messages.
/// </summary>
public static class HealthApi
{
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync })
            .AllowAnonymous()
            .DisableHttpMetrics();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var status = report.Status.ToString().ToLowerInvariant();
        object answer = Actor.Has(context.User, Roles.Viewer)
            ? new
            {
                status,
                checks = report.Entries.ToDictionary(e => e.Key, e => new
                {
                    status = e.Value.Status.ToString().ToLowerInvariant(),
                    description = e.Value.Description,
                    durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                    details = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
            }
            : new { status, checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant() }) };
        return context.Response.WriteAsync(JsonSerializer.Serialize(answer, JsonSerializerOptions.Web));
    }
}

internal sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> dbFactory, IDatabaseProvider database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var streams = await db.Streams.CountAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{database.Name} answers ({streams} streams).");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer: " + e.Message);
        }
    }
}

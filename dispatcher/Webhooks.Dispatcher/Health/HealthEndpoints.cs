using Npgsql;
using Webhooks.Storage.Database;

namespace Webhooks.Dispatcher.Health;

/// <summary>
/// <c>/healthz</c>: the process serves requests. <c>/readyz</c>: the database answers and carries
/// this build's schema, so a pod is taken out of the Service while either is untrue.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", async (MigrationRunner migrations, CancellationToken cancellationToken) =>
        {
            try
            {
                var version = await migrations.CurrentVersionAsync(cancellationToken);
                return version >= MigrationRunner.LatestVersion
                    ? Results.Text("ok")
                    : Results.Text($"schema at version {version}, expected {MigrationRunner.LatestVersion}", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                return Results.Text("database unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return endpoints;
    }
}

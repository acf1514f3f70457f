using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Webhooks.Storage.Database;

/// <summary>
/// Brings the schema up to date before anything else starts: registered first, so later hosted
/// services (and the HTTP server) start only once it has returned. Retries, backing off up to
/// 30 s, while the database is not reachable yet (a pod starting before PostgreSQL).
/// </summary>
public sealed class MigrationHostedService(MigrationRunner migrations, TimeProvider timeProvider, ILogger<MigrationHostedService> logger) : IHostedService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await migrations.MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (StorageErrors.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                Log.MigrationRetry(logger, exception);
                await Task.Delay(delay, timeProvider, cancellationToken);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

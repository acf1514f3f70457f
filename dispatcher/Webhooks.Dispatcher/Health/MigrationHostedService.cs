using Webhooks.Dispatcher.Notifications;
using Webhooks.Storage.Database;

namespace Webhooks.Dispatcher.Health;

/// <summary>
/// Brings the schema up to date before anything else starts. Registered first, so the workers
/// and the HTTP server start only once it has returned; retries while the database is not up yet.
/// </summary>
internal sealed class MigrationHostedService(MigrationRunner migrations, TimeProvider timeProvider, ILogger<MigrationHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                await migrations.MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (StorageErrors.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                Log.MigrationRetry(logger, exception);
                await Task.Delay(Backoff.ForFailure(failures, TimeSpan.FromSeconds(1)), timeProvider, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

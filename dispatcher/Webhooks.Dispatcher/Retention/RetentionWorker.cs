using Microsoft.Extensions.Options;
using Webhooks.Storage.Maintenance;

namespace Webhooks.Dispatcher.Retention;

/// <summary>
/// Keeps attempt partitions ahead of the clock and expires what is older than the retention
/// period. Every replica runs it; the statements are idempotent, so overlapping runs are harmless.
/// </summary>
internal sealed class RetentionWorker(
    RetentionRepository retention,
    IOptions<RetentionOptions> options,
    TimeProvider timeProvider,
    ILogger<RetentionWorker> logger) : BackgroundService
{
    private const int PartitionDaysAhead = 7;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Log.RetentionFailed(logger, exception);
            }

            await Task.Delay(settings.Interval, timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var cutoff = now - TimeSpan.FromDays(options.Value.Days);
        await retention.EnsurePartitionsAsync(now, PartitionDaysAhead, cancellationToken);
        await retention.DropExpiredPartitionsAsync(cutoff, cancellationToken);
        await retention.SweepAsync(cutoff, cancellationToken);
    }
}

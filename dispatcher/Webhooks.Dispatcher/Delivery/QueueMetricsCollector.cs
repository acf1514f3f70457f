using Webhooks.Dispatcher.Routing;
using Webhooks.Storage.Deliveries;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>Refreshes the backlog gauges from the queue table every 15 s; one grouped query over the small hot table.</summary>
internal sealed class QueueMetricsCollector(DeliveryRepository deliveries, RouteTable routes, TimeProvider timeProvider, ILogger<QueueMetricsCollector> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await routes.WaitUntilLoadedAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Metrics.SetQueue(await deliveries.GetQueueStatsAsync(stoppingToken), routes, timeProvider.GetUtcNow());
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                Log.QueueMetricsFailed(logger, exception);
            }

            await Task.Delay(Interval, timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}

using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.Notifications;
using Webhooks.Dispatcher.Routing;
using Webhooks.Storage.Events;

namespace Webhooks.Dispatcher.FanOut;

/// <summary>
/// Turns accepted audit records into one delivery per matching route. Replicas share the work:
/// each claims a batch of events with SKIP LOCKED, so every event is fanned out exactly once.
/// </summary>
internal sealed class FanOutWorker(
    EventRepository events,
    RouteTable routeTable,
    DispatcherSignals signals,
    IOptions<DeliveryOptions> options,
    TimeProvider timeProvider,
    ILogger<FanOutWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await routeTable.WaitUntilLoadedAsync(stoppingToken);
        var batchSize = options.Value.FanOutBatchSize;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await events.FanOutAsync(batchSize, RouteTable.Match, routeTable.IfAt, timeProvider.GetUtcNow(), stoppingToken);
                if (result.ReloadedTable is not null)
                {
                    routeTable.Replace(result.ReloadedTable);
                }

                if (result.Deliveries > 0)
                {
                    signals.DeliveriesReady.Set();
                }

                Metrics.FannedOut(result.Events);
                failures = 0;
                if (result.Events.Count < batchSize)
                {
                    await signals.EventsArrived.WaitAsync(Jitter.Apply(options.Value.PollInterval), timeProvider, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                Log.FanOutFailed(logger, exception);
                await Task.Delay(Backoff.ForFailure(failures, options.Value.PollInterval), timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}

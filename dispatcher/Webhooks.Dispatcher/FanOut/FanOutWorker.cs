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
        await BackgroundLoop.RunAsync(FanOutOnceAsync, e => Log.FanOutFailed(logger, e), options.Value.PollInterval, timeProvider, stoppingToken);
    }

    private async Task FanOutOnceAsync(CancellationToken cancellationToken)
    {
        var batchSize = options.Value.FanOutBatchSize;
        var result = await events.FanOutAsync(batchSize, RouteTable.Match, routeTable.IfAt, timeProvider.GetUtcNow(), cancellationToken);
        if (result.ReloadedTable is not null)
        {
            routeTable.Replace(result.ReloadedTable);
        }

        if (result.Deliveries > 0)
        {
            signals.DeliveriesReady.Set();
        }

        Metrics.FannedOut(result.Events);
        if (result.Events.Count < batchSize)
        {
            await signals.EventsArrived.WaitAsync(Jitter.Apply(options.Value.PollInterval), timeProvider, cancellationToken);
        }
    }
}

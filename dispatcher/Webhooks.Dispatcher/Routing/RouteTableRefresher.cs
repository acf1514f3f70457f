using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.Notifications;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Routing;

/// <summary>
/// Keeps <see cref="RouteTable"/> current: reloads when NOTIFY says the revision moved, and on a
/// jittered safety interval in case a notification was missed.
/// </summary>
internal sealed class RouteTableRefresher(
    RouteRepository routes,
    RouteTable table,
    DispatcherSignals signals,
    IOptions<DeliveryOptions> options,
    TimeProvider timeProvider,
    ILogger<RouteTableRefresher> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLoop.RunAsync(RefreshOnceAsync, e => Log.RouteReloadFailed(logger, e), options.Value.PollInterval, timeProvider, stoppingToken);

    private async Task RefreshOnceAsync(CancellationToken cancellationToken)
    {
        if (await routes.GetRevisionAsync(cancellationToken) != table.Revision)
        {
            var snapshot = await routes.LoadAllAsync(cancellationToken);
            table.Replace(snapshot);
            Log.RoutesReloaded(logger, snapshot.Revision, snapshot.Routes.Count);
            Metrics.SetRoutes(snapshot.Routes);
            // Newly enabled or resumed routes may have deliveries waiting.
            signals.DeliveriesReady.Set();
        }

        await signals.RoutesChanged.WaitAsync(Jitter.Apply(options.Value.RouteSafetyReloadInterval), timeProvider, cancellationToken);
    }
}

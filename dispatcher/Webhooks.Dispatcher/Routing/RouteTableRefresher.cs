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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await routes.GetRevisionAsync(stoppingToken) != table.Revision)
                {
                    var snapshot = await routes.LoadAllAsync(stoppingToken);
                    table.Replace(snapshot);
                    Log.RoutesReloaded(logger, snapshot.Revision, snapshot.Routes.Count);
                    Metrics.SetRoutes(snapshot.Routes);
                    // Newly enabled or resumed routes may have deliveries waiting.
                    signals.DeliveriesReady.Set();
                }

                failures = 0;
                await signals.RoutesChanged.WaitAsync(Jitter.Apply(options.Value.RouteSafetyReloadInterval), timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                Log.RouteReloadFailed(logger, exception);
                await Task.Delay(Backoff.ForFailure(failures, options.Value.PollInterval), timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}

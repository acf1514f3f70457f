using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Storage.Database;

namespace Webhooks.Dispatcher.Notifications;

/// <summary>
/// Holds one connection in LISTEN on the dispatcher's channels and turns notifications into
/// <see cref="DispatcherSignals"/>. After a reconnect every signal is set, because notifications
/// sent while disconnected are gone; the loops' polls cover the gap in the meantime.
/// </summary>
internal sealed class NotificationListener(
    NpgsqlDataSource dataSource,
    DispatcherSignals signals,
    IOptions<DeliveryOptions> options,
    TimeProvider timeProvider,
    ILogger<NotificationListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand(
                    $"listen {NotificationChannels.Events}; listen {NotificationChannels.Deliveries}; listen {NotificationChannels.Routes}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                failures = 0;
                signals.SetAll();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                Log.ListenerDisconnected(logger, exception);
                await Task.Delay(Backoff.ForFailure(failures, options.Value.PollInterval), timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        switch (e.Channel)
        {
            case NotificationChannels.Events:
                signals.EventsArrived.Set();
                break;
            case NotificationChannels.Deliveries:
                signals.DeliveriesReady.Set();
                break;
            case NotificationChannels.Routes:
                signals.RoutesChanged.Set();
                break;
        }
    }
}

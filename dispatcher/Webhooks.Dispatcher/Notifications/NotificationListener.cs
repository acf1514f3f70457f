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
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLoop.RunAsync(ListenAsync, e => Log.ListenerDisconnected(logger, e), options.Value.PollInterval, timeProvider, stoppingToken);

    /// <summary>Listens until the connection fails (then the loop reconnects) or shutdown.</summary>
    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        connection.Notification += OnNotification;
        await using (var listen = new NpgsqlCommand(
            $"listen {NotificationChannels.Events}; listen {NotificationChannels.Deliveries}; listen {NotificationChannels.Routes}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        signals.SetAll();
        while (true)
        {
            await connection.WaitAsync(cancellationToken);
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

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Delivery.Transport;
using Webhooks.Dispatcher.FanOut;
using Webhooks.Dispatcher.Health;
using Webhooks.Dispatcher.Ingest;
using Webhooks.Dispatcher.Notifications;
using Webhooks.Dispatcher.Retention;
using Webhooks.Dispatcher.Routing;
using Webhooks.Storage;
using Webhooks.Storage.Database;

namespace Webhooks.Dispatcher;

public static class DispatcherHostingExtensions
{
    /// <summary>Registers the dispatcher: storage, options (validated on start), the HTTP client and the background loops.</summary>
    public static IHostApplicationBuilder AddDispatcher(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddWebhooksStorage(configuration);
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<DeliveryOptions>, DeliveryOptionsSetup>();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(75));

        services.AddSingleton<DispatcherSignals>();
        services.AddSingleton<RouteTable>();
        services.AddSingleton<BearerTokenAuthenticator>();
        // Tests replace the resolver (a name that maps to loopback) and the dialer (see where a
        // connection would go without sending a packet); registered first, theirs win.
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.TryAddSingleton<IDestinationDialer, SocketDialer>();
        services.AddSingleton(sp => DestinationPolicy.FromCidrs(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.AllowedCidrs));
        services.AddSingleton<GuardedConnector>();
        services.AddSingleton<DeliveryHttpClients>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<AttemptRecorder>();

        // Start order matters: schema first; the recorder before the delivery worker, so that on
        // shutdown (reverse order) the worker drains its sends before the recorder finishes.
        services.AddHostedService<MigrationHostedService>();
        services.AddHostedService<NotificationListener>();
        services.AddHostedService<RouteTableRefresher>();
        services.AddHostedService<FanOutWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<AttemptRecorder>());
        services.AddHostedService<DeliveryWorker>();
        services.AddHostedService<QueueMetricsCollector>();
        services.AddHostedService<RetentionWorker>();
        return builder;
    }

    public static WebApplication MapDispatcher(this WebApplication app)
    {
        app.MapIngest();
        app.MapHealth();
        app.MapMetrics();
        return app;
    }
}

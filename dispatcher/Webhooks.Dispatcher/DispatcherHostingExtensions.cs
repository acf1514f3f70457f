using System.Net;
using Microsoft.Extensions.Options;
using Prometheus;
using Webhooks.Dispatcher.Delivery;
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
        services.AddOptions<DeliveryOptions>().Bind(configuration.GetSection(DeliveryOptions.SectionName)).ValidateDataAnnotations()
            .Validate(o => o.LeaseMargin >= TimeSpan.FromMilliseconds(500), "Delivery:LeaseMargin must be at least 500 ms")
            .ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(75));

        services.AddSingleton<DispatcherSignals>();
        services.AddSingleton<RouteTable>();
        services.AddSingleton<BearerTokenAuthenticator>();
        services.AddSingleton(sp => new WebhookSender(CreateHttpClient(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value), sp.GetRequiredService<IOptions<DeliveryOptions>>(), sp.GetRequiredService<TimeProvider>()));
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

    /// <summary>
    /// One pooled handler for every webhook. Redirects are never followed (a 3xx is a failed
    /// attempt), no cookies, no decompression; connections are recycled so DNS changes are seen.
    /// A plain HttpClient rather than IHttpClientFactory: the factory's default logging writes
    /// request URLs, and a URL from a Secret must never reach a log.
    /// </summary>
    private static HttpClient CreateHttpClient(DeliveryOptions options) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = options.PerEndpointConcurrency,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}

namespace Webhooks.Dispatcher;

/// <summary>Every log message the dispatcher writes, with stable event ids (2000-2099). None carries a header value or a secret URL.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Warning, "LISTEN connection lost; polling until it is back")]
    public static partial void ListenerDisconnected(ILogger logger, Exception exception);

    [LoggerMessage(2001, LogLevel.Information, "Routing table reloaded at revision {Revision} with {Count} routes")]
    public static partial void RoutesReloaded(ILogger logger, long revision, int count);

    [LoggerMessage(2002, LogLevel.Warning, "Routing table reload failed")]
    public static partial void RouteReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(2003, LogLevel.Warning, "Fan-out failed; the events stay queued and are retried")]
    public static partial void FanOutFailed(ILogger logger, Exception exception);

    [LoggerMessage(2004, LogLevel.Warning, "Claiming deliveries failed")]
    public static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(2005, LogLevel.Error, "Delivery {DeliveryId} failed unexpectedly; its lease will expire and it will be retried")]
    public static partial void DeliveryCrashed(ILogger logger, long deliveryId, Exception exception);

    [LoggerMessage(2006, LogLevel.Warning, "Recording {Count} attempt results failed; retrying")]
    public static partial void RecordFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Gave up recording {Count} attempt results at shutdown; their leases will expire and they will be sent again")]
    public static partial void RecordAbandoned(ILogger logger, int count);

    [LoggerMessage(2008, LogLevel.Warning, "Ingest could not reach the database")]
    public static partial void IngestUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(2009, LogLevel.Warning, "Retention sweep failed; it runs again at the next interval")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(2011, LogLevel.Warning, "Reading queue figures for metrics failed")]
    public static partial void QueueMetricsFailed(ILogger logger, Exception exception);

    [LoggerMessage(2012, LogLevel.Warning, "Delivery to {Namespace}/{Webhook} blocked: {Reason}")]
    public static partial void DestinationBlocked(ILogger logger, string @namespace, string webhook, string reason);

    [LoggerMessage(2013, LogLevel.Information, "Webhook {Namespace}/{Webhook} has its own TLS settings; created its HTTP client")]
    public static partial void RouteClientCreated(ILogger logger, string @namespace, string webhook);
}

using Microsoft.Extensions.Logging;
using Webhooks.Operator.Controller;

namespace Webhooks.Operator;

/// <summary>
/// Every log message of the operator, source-generated. Event ids: 3000–3049 the controller
/// machinery (informers, work queue, workers, leader election); 3050 onwards the reconciler and host.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Debug, "Listed {Count} {Kind} in {Scope} at resourceVersion {ResourceVersion}")]
    public static partial void InformerListed(this ILogger logger, string kind, string scope, int count, string resourceVersion);

    [LoggerMessage(3001, LogLevel.Warning, "Listing {Kind} in {Scope} failed (attempt {Attempt}); retrying with backoff")]
    public static partial void InformerListFailed(this ILogger logger, Exception error, string kind, string scope, int attempt);

    [LoggerMessage(3002, LogLevel.Debug, "Watching {Kind} in {Scope} from resourceVersion {ResourceVersion}")]
    public static partial void InformerWatchStarted(this ILogger logger, string kind, string scope, string resourceVersion);

    [LoggerMessage(3003, LogLevel.Debug, "Watch of {Kind} in {Scope} closed at resourceVersion {ResourceVersion}; resuming")]
    public static partial void InformerWatchClosed(this ILogger logger, string kind, string scope, string resourceVersion);

    [LoggerMessage(3004, LogLevel.Information, "Watch of {Kind} in {Scope} expired at resourceVersion {ResourceVersion} (410 Gone); relisting")]
    public static partial void InformerWatchExpired(this ILogger logger, string kind, string scope, string resourceVersion);

    [LoggerMessage(3005, LogLevel.Warning, "Watch of {Kind} in {Scope} failed at resourceVersion {ResourceVersion}; resuming with backoff")]
    public static partial void InformerWatchFailed(this ILogger logger, Exception error, string kind, string scope, string resourceVersion);

    [LoggerMessage(3006, LogLevel.Error, "An event handler of the {Kind} informer failed")]
    public static partial void InformerHandlerFailed(this ILogger logger, Exception error, string kind);

    [LoggerMessage(3010, LogLevel.Information, "Controller {Controller} starting: waiting for caches to sync")]
    public static partial void ControllerStarting(this ILogger logger, string controller);

    [LoggerMessage(3011, LogLevel.Information, "Controller {Controller} caches synced; starting {Workers} workers")]
    public static partial void ControllerSynced(this ILogger logger, string controller, int workers);

    [LoggerMessage(3012, LogLevel.Information, "Controller {Controller} stopped")]
    public static partial void ControllerStopped(this ILogger logger, string controller);

    [LoggerMessage(3013, LogLevel.Error, "Reconciling {Key} in controller {Controller} failed (attempt {Attempt}); retrying with backoff")]
    public static partial void ReconcileFailed(this ILogger logger, Exception error, string controller, ObjectKey key, int attempt);

    [LoggerMessage(3014, LogLevel.Debug, "Reconciled {Key} in controller {Controller}; again in {RequeueAfter}")]
    public static partial void ReconcileRequeueAfter(this ILogger logger, string controller, ObjectKey key, TimeSpan requeueAfter);

    [LoggerMessage(3020, LogLevel.Information, "Leader election for lease {Lease} started as {Identity}")]
    public static partial void LeaderElectionStarted(this ILogger logger, string lease, string identity);

    [LoggerMessage(3021, LogLevel.Information, "Became leader of lease {Lease} as {Identity}")]
    public static partial void LeadershipAcquired(this ILogger logger, string lease, string identity);

    [LoggerMessage(3022, LogLevel.Warning, "Lost leadership of lease {Lease} as {Identity}")]
    public static partial void LeadershipLost(this ILogger logger, string lease, string identity);

    [LoggerMessage(3023, LogLevel.Information, "Lease {Lease} is held by {Leader}")]
    public static partial void LeaderObserved(this ILogger logger, string lease, string leader);

    [LoggerMessage(3024, LogLevel.Warning, "Leader election for lease {Lease} hit an error")]
    public static partial void LeaderElectionError(this ILogger logger, Exception error, string lease);

    [LoggerMessage(3025, LogLevel.Information, "Released lease {Lease} on shutdown")]
    public static partial void LeaseReleased(this ILogger logger, string lease);

    [LoggerMessage(3026, LogLevel.Warning, "Releasing lease {Lease} on shutdown failed; the next leader waits for it to expire")]
    public static partial void LeaseReleaseFailed(this ILogger logger, Exception? error, string lease);

    [LoggerMessage(3050, LogLevel.Information, "Route for {Namespace}/{Name} written at generation {Generation}")]
    public static partial void RouteWritten(ILogger logger, string @namespace, string name, long generation);

    [LoggerMessage(3051, LogLevel.Information, "Route for {Namespace}/{Name} deleted")]
    public static partial void RouteDeleted(ILogger logger, string @namespace, string name);

    [LoggerMessage(3052, LogLevel.Warning, "Reading delivery outcomes failed; status keeps its last figures")]
    public static partial void StatusReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(3053, LogLevel.Warning, "Recording event {Reason} for {Namespace}/{Name} failed")]
    public static partial void EventFailed(ILogger logger, string reason, string @namespace, string name, Exception exception);

    [LoggerMessage(3054, LogLevel.Information, "{Type} {Reason} {Namespace}/{Name}: {Message}")]
    public static partial void EventRecorded(ILogger logger, string type, string reason, string @namespace, string name, string message);

    [LoggerMessage(3055, LogLevel.Information, "{Namespace}/{Name}: Ready={Ready} ({Reason}) {Message}")]
    public static partial void StatusChanged(ILogger logger, string @namespace, string name, string ready, string reason, string message);

    [LoggerMessage(3056, LogLevel.Warning, "Skipping manifest {File}: {Problem}")]
    public static partial void ManifestSkipped(ILogger logger, string file, string problem);

    [LoggerMessage(3057, LogLevel.Information, "Loaded {Webhooks} Webhooks and {Secrets} Secrets from {Path}")]
    public static partial void ManifestsLoaded(ILogger logger, int webhooks, int secrets, string path);
}

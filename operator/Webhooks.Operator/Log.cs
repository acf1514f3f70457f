namespace Webhooks.Operator;

/// <summary>Every log message the operator writes, with stable event ids. No message carries a secret value.</summary>
internal static partial class Log
{
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

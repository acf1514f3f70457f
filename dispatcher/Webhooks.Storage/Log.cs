using Microsoft.Extensions.Logging;

namespace Webhooks.Storage;

/// <summary>Every log message the storage layer writes, with stable event ids (1000-1099).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Applied migration {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(1001, LogLevel.Information, "Dropped expired attempt partition {Partition}")]
    public static partial void PartitionDropped(ILogger logger, string partition);

    [LoggerMessage(1002, LogLevel.Information, "Retention removed {Events} events and {Deliveries} failed deliveries older than {Cutoff:o}")]
    public static partial void RetentionSwept(ILogger logger, long events, long deliveries, DateTimeOffset cutoff);

    [LoggerMessage(1003, LogLevel.Warning, "Database not ready for migrations; retrying")]
    public static partial void MigrationRetry(ILogger logger, Exception exception);
}

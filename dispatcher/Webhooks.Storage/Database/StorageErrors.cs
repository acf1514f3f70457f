using Npgsql;

namespace Webhooks.Storage.Database;

/// <summary>The one place that turns a <see cref="PostgresException"/> into what callers act on.</summary>
public static class StorageErrors
{
    /// <summary>Raised by <c>auditlog.validation_error</c>: the detail is the field, the hint the reason.</summary>
    public static bool IsValidationError(PostgresException exception, out string field, out string reason)
    {
        if (exception.SqlState == PostgresErrorCodes.InvalidParameterValue && exception.Detail is { } detail && exception.Hint is { } hint)
        {
            field = detail;
            reason = hint;
            return true;
        }

        field = reason = string.Empty;
        return false;
    }

    /// <summary>Errors worth retrying: the server went away, a failover, a serialization conflict.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException p => p.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow,
        TimeoutException => true,
        _ => false,
    };
}

using Npgsql;

namespace Webhooks.Storage.Database;

/// <summary>The one place that turns a <see cref="PostgresException"/> into what callers act on.</summary>
public static class StorageErrors
{
    /// <summary>
    /// Raised by <c>auditlog.validation_error</c> as "field: reason" (in the message, since Npgsql
    /// redacts the detail field by default).
    /// </summary>
    public static bool IsValidationError(PostgresException exception, out string field, out string reason)
    {
        var separator = exception.MessageText.IndexOf(": ", StringComparison.Ordinal);
        if (exception.SqlState == PostgresErrorCodes.InvalidParameterValue && separator > 0)
        {
            field = exception.MessageText[..separator];
            reason = exception.MessageText[(separator + 2)..];
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

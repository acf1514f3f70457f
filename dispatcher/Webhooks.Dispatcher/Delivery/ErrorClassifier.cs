using System.Net.Sockets;
using System.Security.Authentication;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Delivery.Tls;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>The error classes recorded on attempts; stable strings that status and alerts key on.</summary>
public static class ErrorClasses
{
    public const string Timeout = "timeout";
    public const string ConnectionRefused = "connection_refused";
    public const string ConnectionReset = "connection_reset";
    public const string Dns = "dns";
    public const string Tls = "tls";
    public const string HttpStatus = "http_status";
    public const string Protocol = "protocol";
    public const string RouteDeleted = "route_deleted";
    public const string Internal = "internal";

    /// <summary>Every address of the host is internal and not allow-listed (SSRF defence); retried only at the schedule's longest step.</summary>
    public const string BlockedDestination = "blocked_destination";

    /// <summary>A secure-mode route with an http:// URL: never sent, failed at once.</summary>
    public const string InsecureUrl = "insecure_url";

    /// <summary>A secure-mode route without a usable signing key: never sent unsigned, failed at once.</summary>
    public const string SigningKey = "signing_key";

    /// <summary>Names the class of a failed send; the message is the innermost exception's, which never holds header values.</summary>
    public static (string Class, string Message) Classify(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        var errorClass = exception switch
        {
            _ when innermost is BlockedDestinationException => BlockedDestination,
            TlsMaterialException => Tls,
            TimeoutException or OperationCanceledException => Timeout,
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => Dns,
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => Tls,
            _ when innermost is AuthenticationException => Tls,
            _ when innermost is SocketException { SocketErrorCode: SocketError.ConnectionRefused } => ConnectionRefused,
            _ when innermost is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } => Dns,
            _ when innermost is SocketException { SocketErrorCode: SocketError.TimedOut } => Timeout,
            _ when innermost is SocketException or IOException => ConnectionReset,
            HttpRequestException => Protocol,
            _ => Internal,
        };
        // Our own exceptions already say what went wrong, including their cause's message.
        var message = errorClass == Timeout ? "the request timed out" : exception is TlsMaterialException ? exception.Message : innermost.Message;
        return (errorClass, message);
    }
}

namespace Webhooks.Dispatcher.Delivery.Tls;

/// <summary>A route's CA bundle or client certificate cannot be used. The message says which and why, never the PEM itself.</summary>
public sealed class TlsMaterialException(string message, Exception? innerException = null) : Exception(message, innerException);

using System.Net;

namespace Webhooks.Dispatcher.Delivery.Destinations;

/// <summary>Turns a webhook's host name into addresses. A seam so tests can map a name to any address without DNS.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

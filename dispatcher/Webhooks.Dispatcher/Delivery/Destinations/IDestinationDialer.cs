using System.Net;

namespace Webhooks.Dispatcher.Delivery.Destinations;

/// <summary>
/// Opens the TCP connection to an address <see cref="GuardedConnector"/> has already checked. A
/// seam so tests can see exactly which address would be dialled without sending a packet to it.
/// </summary>
public interface IDestinationDialer
{
    ValueTask<Stream> DialAsync(IPEndPoint endpoint, CancellationToken cancellationToken);
}

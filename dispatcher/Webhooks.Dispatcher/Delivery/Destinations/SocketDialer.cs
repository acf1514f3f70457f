using System.Net;
using System.Net.Sockets;

namespace Webhooks.Dispatcher.Delivery.Destinations;

/// <summary>A plain TCP connect, as SocketsHttpHandler does it by default.</summary>
public sealed class SocketDialer : IDestinationDialer
{
    public async ValueTask<Stream> DialAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

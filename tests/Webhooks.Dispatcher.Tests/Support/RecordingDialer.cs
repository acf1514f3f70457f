using System.Collections.Concurrent;
using System.Net;
using Webhooks.Dispatcher.Delivery.Destinations;

namespace Webhooks.Dispatcher.Tests.Support;

/// <summary>
/// Records every address the guarded connector dials. Loopback addresses (and 0.0.0.0, which
/// Linux connects to the local host) are really dialled; any other address is never contacted:
/// the connection goes to <see cref="StandIn"/> instead, a local receiver playing that host, so
/// a test can show an allow-listed internal address gets through without sending it a packet.
/// </summary>
public sealed class RecordingDialer : IDestinationDialer
{
    private readonly SocketDialer _socket = new();
    private readonly ConcurrentQueue<IPEndPoint> _dialled = new();

    /// <summary>Where connections to non-local addresses go, by port; unset means they are refused.</summary>
    public Func<IPEndPoint, IPEndPoint?> StandIn { get; set; } = _ => null;

    public IReadOnlyCollection<IPEndPoint> Dialled => _dialled;

    public ValueTask<Stream> DialAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        _dialled.Enqueue(endpoint);
        if (IPAddress.IsLoopback(endpoint.Address) || endpoint.Address.Equals(IPAddress.Any))
        {
            return _socket.DialAsync(endpoint, cancellationToken);
        }

        return StandIn(endpoint) is { } local
            ? _socket.DialAsync(local, cancellationToken)
            : ValueTask.FromException<Stream>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
    }
}

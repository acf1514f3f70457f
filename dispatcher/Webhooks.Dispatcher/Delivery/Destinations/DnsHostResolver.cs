using System.Net;

namespace Webhooks.Dispatcher.Delivery.Destinations;

/// <summary>The system resolver (getaddrinfo: /etc/hosts, cluster DNS).</summary>
public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

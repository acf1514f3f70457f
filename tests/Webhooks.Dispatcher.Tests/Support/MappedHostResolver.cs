using System.Collections.Concurrent;
using System.Net;
using Webhooks.Dispatcher.Delivery.Destinations;

namespace Webhooks.Dispatcher.Tests.Support;

/// <summary>
/// A resolver with a map of names in front of the system's: a mapped name can "resolve" to
/// loopback or to any address; other names (localhost) go to DNS as usual.
/// </summary>
public sealed class MappedHostResolver : IHostResolver
{
    private readonly DnsHostResolver _dns = new();
    private readonly ConcurrentDictionary<string, Func<int, IPAddress[]>> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _lookups = new();

    /// <summary>Every name looked up, in order.</summary>
    public IReadOnlyCollection<string> Lookups => _lookups;

    public MappedHostResolver Map(string name, params string[] addresses)
    {
        _names[name] = _ => [.. addresses.Select(IPAddress.Parse)];
        return this;
    }

    /// <summary>A name whose answer changes with each lookup (1-based), as a rebinding DNS server's does.</summary>
    public MappedHostResolver Map(string name, Func<int, IPAddress[]> answer)
    {
        _names[name] = answer;
        return this;
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        _lookups.Enqueue(host);
        return _names.TryGetValue(host, out var answer)
            ? Task.FromResult(answer(_lookups.Count(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase))))
            : _dns.ResolveAsync(host, cancellationToken);
    }
}

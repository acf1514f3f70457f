using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Delivery.Tls;
using Webhooks.Dispatcher.Routing;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Delivery.Transport;

/// <summary>
/// The HTTP clients deliveries go out on. Routes without TLS settings of their own share one
/// pooled client; a route with a CA bundle or a client certificate gets its own, cached by route
/// and TLS fingerprint. A cached client is retired when its route's TLS settings change or the
/// route disappears, and disposed once the sends using it have finished.
/// A plain HttpClient rather than IHttpClientFactory: the factory's default logging writes
/// request URLs, and a URL from a Secret must never reach a log.
/// </summary>
public sealed class DeliveryHttpClients : IDisposable
{
    private readonly DeliveryOptions _options;
    private readonly GuardedConnector _connector;
    private readonly TimeProvider _timeProvider;
    private readonly RouteTable _routes;
    private readonly ILogger<DeliveryHttpClients> _logger;
    private readonly HttpClient _shared;
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Entry> _byRoute = [];

    public DeliveryHttpClients(IOptions<DeliveryOptions> options, GuardedConnector connector, TimeProvider timeProvider, RouteTable routes, ILogger<DeliveryHttpClients> logger)
    {
        _options = options.Value;
        _connector = connector;
        _timeProvider = timeProvider;
        _routes = routes;
        _logger = logger;
        _shared = NewClient(DeliveryHandlerFactory.Create(_options, connector, timeProvider));
        _routes.Replaced += Retain;
    }

    /// <summary>Routes that currently have a client of their own.</summary>
    public IReadOnlyCollection<Guid> RoutesWithOwnClient
    {
        get
        {
            lock (_lock)
            {
                return [.. _byRoute.Keys];
            }
        }
    }

    /// <summary>
    /// The client for <paramref name="route"/>, held until the lease is disposed.
    /// Throws <see cref="TlsMaterialException"/> when the route's TLS settings cannot be loaded.
    /// </summary>
    public Lease Acquire(RouteDefinition route)
    {
        if (!RouteTlsMaterial.IsCustom(route))
        {
            return new Lease(_shared, null);
        }

        var fingerprint = RouteTlsMaterial.Fingerprint(route);
        lock (_lock)
        {
            if (_byRoute.TryGetValue(route.Uid, out var cached) && cached.Fingerprint.AsSpan().SequenceEqual(fingerprint))
            {
                cached.Users++;
                return new Lease(cached.Client, () => Release(cached));
            }

            // Loaded under the lock so concurrent first sends build one handler, not several.
            var material = RouteTlsMaterial.Load(route);
            var entry = new Entry(route.Uid, fingerprint, NewClient(DeliveryHandlerFactory.Create(_options, _connector, _timeProvider, material)), material) { Users = 1 };
            if (cached is not null)
            {
                RetireLocked(cached);
            }

            _byRoute[route.Uid] = entry;
            Log.RouteClientCreated(_logger, route.Namespace, route.Name);
            return new Lease(entry.Client, () => Release(entry));
        }
    }

    public void Dispose()
    {
        _routes.Replaced -= Retain;
        lock (_lock)
        {
            foreach (var entry in _byRoute.Values)
            {
                entry.Dispose();
            }

            _byRoute.Clear();
        }

        _shared.Dispose();
    }

    /// <summary>Retires the clients of routes that are gone or whose TLS settings changed.</summary>
    private void Retain(RouteTableSnapshot table)
    {
        var current = table.Routes.ToDictionary(r => r.Definition.Uid, r => r.Definition);
        lock (_lock)
        {
            foreach (var entry in _byRoute.Values.ToList())
            {
                if (!current.TryGetValue(entry.RouteUid, out var route) || !RouteTlsMaterial.IsCustom(route)
                    || !RouteTlsMaterial.Fingerprint(route).AsSpan().SequenceEqual(entry.Fingerprint))
                {
                    _byRoute.Remove(entry.RouteUid);
                    RetireLocked(entry);
                }
            }
        }
    }

    private static void RetireLocked(Entry entry)
    {
        entry.Retired = true;
        if (entry.Users == 0)
        {
            entry.Dispose();
        }
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Users--;
            if (entry.Retired && entry.Users == 0)
            {
                entry.Dispose();
            }
        }
    }

    private static HttpClient NewClient(SocketsHttpHandler handler) => new(handler) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Use of a client for one send; disposing it lets a retired client go.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly Action? _release;

        internal Lease(HttpClient client, Action? release)
        {
            Client = client;
            _release = release;
        }

        public HttpClient Client { get; }

        public void Dispose() => _release?.Invoke();
    }

    private sealed class Entry(Guid routeUid, byte[] fingerprint, HttpClient client, RouteTlsMaterial material) : IDisposable
    {
        public Guid RouteUid { get; } = routeUid;

        public byte[] Fingerprint { get; } = fingerprint;

        public HttpClient Client { get; } = client;

        /// <summary>Sends holding the client; guarded by the owner's lock.</summary>
        public int Users { get; set; }

        public bool Retired { get; set; }

        public void Dispose()
        {
            Client.Dispose();
            material.Dispose();
        }
    }
}

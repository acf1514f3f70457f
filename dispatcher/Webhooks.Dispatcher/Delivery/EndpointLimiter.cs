using System.Collections.Concurrent;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Caps requests in flight per route. Each route may hold its cap sending plus a backlog waiting
/// for a slot; claims take no more for a route than it has room for (the claim lengthens the
/// lease of deliveries that may wait), and a claimed delivery is counted against its route the
/// moment it is claimed, before its task runs, so the next claim sees it.
/// </summary>
public sealed class EndpointLimiter(int perEndpoint, int backlog)
{
    private readonly ConcurrentDictionary<Guid, Endpoint> _endpoints = new();

    /// <summary>Most deliveries one route may hold: its cap sending plus its backlog waiting.</summary>
    public int RouteBudget => perEndpoint + backlog;

    /// <summary>The routes holding deliveries and how many each holds; routes not listed hold none.</summary>
    public (Guid[] Routes, int[] Held) Holdings()
    {
        var routes = new List<Guid>();
        var held = new List<int>();
        foreach (var (uid, endpoint) in _endpoints)
        {
            var holders = Volatile.Read(ref endpoint.Holders);
            if (holders > 0)
            {
                routes.Add(uid);
                held.Add(holders);
            }
        }

        return ([.. routes], [.. held]);
    }

    /// <summary>Counts a just-claimed delivery against its route; dispose the reservation when the delivery is done.</summary>
    public Reservation Reserve(Guid route)
    {
        var endpoint = _endpoints.GetOrAdd(route, _ => new Endpoint(perEndpoint));
        Interlocked.Increment(ref endpoint.Holders);
        return new Reservation(endpoint);
    }

    internal sealed class Endpoint(int slots)
    {
        public readonly SemaphoreSlim Slots = new(slots, slots);
        public int Holders;
    }

    /// <summary>A claimed delivery's place at its route: <see cref="EnterAsync"/> waits for a sending slot.</summary>
    public sealed class Reservation : IDisposable
    {
        private readonly Endpoint _endpoint;
        private int _entered;
        private int _disposed;

        internal Reservation(Endpoint endpoint) => _endpoint = endpoint;

        public async Task EnterAsync(CancellationToken cancellationToken)
        {
            await _endpoint.Slots.WaitAsync(cancellationToken);
            Volatile.Write(ref _entered, 1);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                if (Volatile.Read(ref _entered) == 1)
                {
                    _endpoint.Slots.Release();
                }

                Interlocked.Decrement(ref _endpoint.Holders);
            }
        }
    }
}

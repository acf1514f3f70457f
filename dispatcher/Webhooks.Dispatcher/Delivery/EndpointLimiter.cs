using System.Collections.Concurrent;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Caps requests in flight per route. Claims skip routes at their cap, and a delivery claimed
/// for a route that filled up meanwhile waits for that route's slot, not for anyone else's.
/// </summary>
public sealed class EndpointLimiter(int perEndpoint)
{
    private readonly ConcurrentDictionary<Guid, Endpoint> _endpoints = new();

    /// <summary>Routes with at least their cap in flight or waiting: leave them out of the next claim.</summary>
    public Guid[] Saturated()
    {
        var saturated = new List<Guid>();
        foreach (var (uid, endpoint) in _endpoints)
        {
            if (Volatile.Read(ref endpoint.Holders) >= perEndpoint)
            {
                saturated.Add(uid);
            }
        }

        return [.. saturated];
    }

    public async Task<IDisposable> EnterAsync(Guid route, CancellationToken cancellationToken)
    {
        var endpoint = _endpoints.GetOrAdd(route, _ => new Endpoint(perEndpoint));
        Interlocked.Increment(ref endpoint.Holders);
        try
        {
            await endpoint.Slots.WaitAsync(cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref endpoint.Holders);
            throw;
        }

        return new Lease(endpoint);
    }

    private sealed class Endpoint(int slots)
    {
        public readonly SemaphoreSlim Slots = new(slots, slots);
        public int Holders;
    }

    private sealed class Lease(Endpoint endpoint) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                endpoint.Slots.Release();
                Interlocked.Decrement(ref endpoint.Holders);
            }
        }
    }
}

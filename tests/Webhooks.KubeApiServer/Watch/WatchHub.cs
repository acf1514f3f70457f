namespace Webhooks.KubeApiServer.Watch;

/// <summary>
/// The bounded event history (the watch cache) and the open watches. Callers hold the store's lock,
/// so publishing, replaying and subscribing are atomic with respect to writes.
/// </summary>
internal sealed class WatchHub(int historyLimit)
{
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<WatchSubscription> _subscriptions = [];

    /// <summary>Every revision at or below this one has fallen out of the history.</summary>
    public long CompactedRevision { get; private set; }

    public int Count => _subscriptions.Count;

    public void Publish(WatchEvent change)
    {
        _history.Enqueue(change);
        while (_history.Count > historyLimit)
        {
            CompactedRevision = _history.Dequeue().Revision;
        }

        foreach (var subscription in _subscriptions)
        {
            subscription.Deliver(change);
        }
    }

    /// <summary>The retained events after <paramref name="revision"/>, or null when some have been compacted away.</summary>
    public IReadOnlyList<WatchEvent>? EventsAfter(long revision) =>
        revision < CompactedRevision ? null : _history.Where(e => e.Revision > revision).ToList();

    public void Add(WatchSubscription subscription) => _subscriptions.Add(subscription);

    public void Remove(WatchSubscription subscription) => _subscriptions.Remove(subscription);

    public void Compact(long revision)
    {
        _history.Clear();
        CompactedRevision = revision;
    }

    public void CloseAll()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Close();
        }

        _subscriptions.Clear();
    }
}

using Webhooks.Storage.Events;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Routing;

/// <summary>
/// The dispatcher's in-memory copy of the routes table. Readers get an immutable snapshot;
/// reloads swap the whole snapshot, so a fan-out batch matches against one consistent revision.
/// </summary>
public sealed class RouteTable
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Snapshot _current = new(new RouteTableSnapshot(-1, []));

    public long Revision => _current.Table.Revision;

    public Task WaitUntilLoadedAsync(CancellationToken cancellationToken) => _loaded.Task.WaitAsync(cancellationToken);

    /// <summary>Raised after a newer table replaced the current one; per-route caches drop what went away.</summary>
    public event Action<RouteTableSnapshot>? Replaced;

    public void Replace(RouteTableSnapshot table)
    {
        var current = _current;
        var replaced = table.Revision >= current.Table.Revision;
        if (replaced)
        {
            _current = new Snapshot(table);
        }

        _loaded.TrySetResult();
        if (replaced)
        {
            Replaced?.Invoke(table);
        }
    }

    /// <summary>The table if it is at <paramref name="revision"/>, else null (the caller reloads).</summary>
    public RouteTableSnapshot? IfAt(long revision)
    {
        var current = _current;
        return current.Table.Revision == revision ? current.Table : null;
    }

    public StoredRoute? Find(Guid uid) => _current.ByUid.GetValueOrDefault(uid);

    public IReadOnlyList<StoredRoute> All => _current.Table.Routes;

    /// <summary>
    /// One delivery per matching route. A disabled route's delivery is recorded failed at once:
    /// the record is accounted for, and replayable once the Webhook is fixed.
    /// </summary>
    public static IReadOnlyList<NewDelivery> Match(RouteTableSnapshot table, IReadOnlyList<PendingEvent> events)
    {
        var deliveries = new List<NewDelivery>();
        foreach (var pendingEvent in events)
        {
            foreach (var route in table.Routes)
            {
                if (Matches(route.Definition, pendingEvent))
                {
                    deliveries.Add(new NewDelivery(pendingEvent.Id, route.Definition.Uid, route.Disabled ? $"endpoint disabled: {route.DisabledReason}" : null));
                }
            }
        }

        return deliveries;
    }

    public static bool Matches(RouteDefinition route, PendingEvent pendingEvent) =>
        route.Events.Contains(EventCategories.AuditLogCreation)
        && AnyOrContains(route.FilterCategories, pendingEvent.DataCategory)
        && AnyOrContains(route.FilterNames, pendingEvent.DataName)
        && AnyOrContains(route.FilterOrganizations, pendingEvent.OrganizationId);

    private static bool AnyOrContains(IReadOnlyList<string> filter, string value) => filter.Count == 0 || filter.Contains(value);

    private sealed class Snapshot(RouteTableSnapshot table)
    {
        public RouteTableSnapshot Table { get; } = table;

        public Dictionary<Guid, StoredRoute> ByUid { get; } = table.Routes.ToDictionary(r => r.Definition.Uid);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Errors;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.KubeApiServer.Watch;

namespace Webhooks.KubeApiServer.Storage;

/// <summary>
/// The etcd stand-in: objects keyed by storage key, namespace and name, one global revision counter
/// stamped into <c>metadata.resourceVersion</c>, and every change published to the watch history.
/// Stored objects are never mutated after they are stored; callers clone before changing them.
/// </summary>
internal sealed class ObjectStore(WatchHub hub)
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private long _revision;

    /// <summary>Held for a whole read-modify-write so that it is atomic, as etcd's transactions are.</summary>
    public Lock Gate { get; } = new();

    public long Revision
    {
        get
        {
            lock (Gate)
            {
                return _revision;
            }
        }
    }

    public int WatchCount
    {
        get
        {
            lock (Gate)
            {
                return hub.Count;
            }
        }
    }

    public JsonObject? Get(string storageKey, string? ns, string name)
    {
        lock (Gate)
        {
            return Bucket(storageKey).GetValueOrDefault(Key(ns, name));
        }
    }

    public IReadOnlyList<JsonObject> List(string storageKey, string? ns)
    {
        lock (Gate)
        {
            var bucket = Bucket(storageKey);
            return string.IsNullOrEmpty(ns)
                ? bucket.Values.ToList()
                : bucket.Where(p => p.Key.StartsWith(ns + "/", StringComparison.Ordinal)).Select(p => p.Value).ToList();
        }
    }

    public JsonObject Create(string storageKey, JsonObject obj)
    {
        lock (Gate)
        {
            var stored = Stamp(obj);
            Bucket(storageKey)[Key(stored)] = stored;
            hub.Publish(new WatchEvent(WatchEvent.Added, storageKey, stored, null, _revision));
            return stored;
        }
    }

    public JsonObject Update(string storageKey, JsonObject obj)
    {
        lock (Gate)
        {
            var bucket = Bucket(storageKey);
            var previous = bucket[Key(obj)];
            var stored = Stamp(obj);
            bucket[Key(stored)] = stored;
            hub.Publish(new WatchEvent(WatchEvent.Modified, storageKey, stored, previous, _revision));
            return stored;
        }
    }

    /// <summary>Removes the object; the DELETED event carries it stamped with the deletion revision, as etcd reports it.</summary>
    public JsonObject Delete(string storageKey, JsonObject obj)
    {
        lock (Gate)
        {
            Bucket(storageKey).Remove(Key(obj));
            var removed = Stamp(obj);
            hub.Publish(new WatchEvent(WatchEvent.Deleted, storageKey, removed, null, _revision));
            return removed;
        }
    }

    public WatchSubscription Watch(string storageKey, string? ns, Func<JsonObject, bool> matches, string? resourceVersion)
    {
        lock (Gate)
        {
            var subscription = new WatchSubscription(storageKey, matches);
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var existing in List(storageKey, ns))
                {
                    subscription.Deliver(new WatchEvent(WatchEvent.Added, storageKey, existing, null, RevisionOf(existing)));
                }
            }
            else
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw StatusErrors.BadRequest($"invalid resource version: {resourceVersion}");
                }

                var replay = hub.EventsAfter(from);
                if (replay is null)
                {
                    var expired = StatusErrors.Expired($"too old resource version: {from} ({hub.CompactedRevision})");
                    subscription.Send(new WatchEvent(WatchEvent.Error, storageKey, expired.Status, null, _revision));
                    subscription.Close();
                    return subscription;
                }

                foreach (var change in replay)
                {
                    subscription.Deliver(change);
                }
            }

            hub.Add(subscription);
            return subscription;
        }
    }

    public void Unwatch(WatchSubscription subscription)
    {
        lock (Gate)
        {
            hub.Remove(subscription);
            subscription.Close();
        }
    }

    /// <summary>Queues a bookmark carrying the current revision behind everything already sent to the watch.</summary>
    public void Bookmark(WatchSubscription subscription)
    {
        lock (Gate)
        {
            var marker = new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = Format(_revision) } };
            subscription.Send(new WatchEvent(WatchEvent.Bookmark, subscription.StorageKey, marker, null, _revision));
        }
    }

    public void Compact()
    {
        lock (Gate)
        {
            hub.Compact(_revision);
        }
    }

    public void CloseWatches()
    {
        lock (Gate)
        {
            hub.CloseAll();
        }
    }

    public static string Format(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    public static long RevisionOf(JsonObject obj) =>
        long.TryParse(Json.GetString(obj, "metadata", "resourceVersion"), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private JsonObject Stamp(JsonObject obj)
    {
        var stored = Json.CloneObject(obj);
        Json.Metadata(stored)["resourceVersion"] = Format(++_revision);
        return stored;
    }

    private SortedDictionary<string, JsonObject> Bucket(string storageKey)
    {
        if (!_objects.TryGetValue(storageKey, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[storageKey] = bucket;
        }

        return bucket;
    }

    private static string Key(JsonObject obj) => Key(Json.GetString(obj, "metadata", "namespace"), Json.GetString(obj, "metadata", "name") ?? string.Empty);

    private static string Key(string? ns, string name) => $"{ns}/{name}";
}

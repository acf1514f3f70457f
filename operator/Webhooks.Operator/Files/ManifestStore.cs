using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Controller.Informers;
using Webhooks.Operator.Reconciliation;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Files;

/// <summary>
/// File mode's stand-in for the API server: Webhooks and Secrets read from manifests, held in
/// memory. It gives each Webhook what the API server would: a stable uid (derived from its
/// namespace and name, so restarts keep their routes), a generation that rises on spec changes
/// (seeded from the clock, so it keeps rising across restarts), and deletion through the
/// finalizer, so the reconciler's delete path is the same as in a cluster. Status and Events go
/// to the log. It also serves list and watch to the controller's informers, as an API server
/// would: every change gets a resourceVersion and a watch event, so file mode runs the very same
/// controller loop as a cluster.
/// </summary>
public sealed class ManifestStore(TimeProvider timeProvider, ILogger<ManifestStore> logger)
    : IResourceAccess, IListWatch<V1Alpha1Webhook>, IListWatch<V1Secret>
{
    private readonly object _lock = new();
    private readonly List<(long Version, WatchEventType Type, object Object)> _changes = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    /// <summary>Changes kept for watchers; a watch from before them gets 410 Expired and relists, as with an API server.</summary>
    private const int MaxChanges = 1000;
    private readonly Dictionary<(string, string), V1Alpha1Webhook> _webhooks = [];
    private readonly Dictionary<(string, string), V1Secret> _secrets = [];
    private readonly Dictionary<(string, string), V1Secret> _generated = [];

    public V1Alpha1Webhook? GetWebhook(string @namespace, string name)
    {
        lock (_lock)
        {
            return _webhooks.GetValueOrDefault((@namespace, name));
        }
    }

    public V1Secret? GetSecret(string @namespace, string name)
    {
        lock (_lock)
        {
            return _secrets.GetValueOrDefault((@namespace, name)) ?? _generated.GetValueOrDefault((@namespace, name));
        }
    }

    public IReadOnlyList<ObjectKey> Keys
    {
        get
        {
            lock (_lock)
            {
                return [.. _webhooks.Keys.Select(k => new ObjectKey(k.Item1, k.Item2))];
            }
        }
    }

    /// <summary>
    /// Replaces the manifests with a fresh read and returns the Webhooks to reconcile: new,
    /// changed, removed (now marked for deletion), and those reading a Secret that changed.
    /// </summary>
    public IReadOnlyList<ObjectKey> Apply(IReadOnlyList<V1Alpha1Webhook> webhooks, IReadOnlyList<V1Secret> secrets)
    {
        var now = timeProvider.GetUtcNow();
        var changed = new HashSet<ObjectKey>();
        lock (_lock)
        {
            var changedSecrets = new HashSet<(string, string)>();
            var incomingSecrets = secrets.ToDictionary(s => (s.Metadata.NamespaceProperty, s.Metadata.Name));
            foreach (var key in _secrets.Keys.Union(incomingSecrets.Keys).ToList())
            {
                var before = _secrets.GetValueOrDefault(key);
                var after = incomingSecrets.GetValueOrDefault(key);
                if (Fingerprint(before?.Data) != Fingerprint(after?.Data))
                {
                    changedSecrets.Add(key);
                }
            }

            foreach (var (key, secret) in _secrets.Where(s => !incomingSecrets.ContainsKey(s.Key)))
            {
                Publish(WatchEventType.Deleted, secret);
            }

            foreach (var key in changedSecrets.Where(incomingSecrets.ContainsKey))
            {
                Publish(_secrets.ContainsKey(key) ? WatchEventType.Modified : WatchEventType.Added, incomingSecrets[key]);
            }

            _secrets.Clear();
            foreach (var (key, secret) in incomingSecrets)
            {
                _secrets[key] = secret;
            }

            var incoming = webhooks.ToDictionary(w => (w.Metadata.NamespaceProperty, w.Metadata.Name));
            foreach (var (key, webhook) in incoming)
            {
                var existing = _webhooks.GetValueOrDefault(key);
                var spec = KubernetesJson.Serialize(webhook.Spec);
                if (existing is null || existing.Metadata.DeletionTimestamp is not null || KubernetesJson.Serialize(existing.Spec) != spec)
                {
                    webhook.Metadata.Uid = StableUid(key.Item1, key.Item2);
                    webhook.Metadata.Generation = Math.Max((existing?.Metadata.Generation ?? 0) + 1, now.ToUnixTimeSeconds());
                    webhook.Metadata.CreationTimestamp = existing?.Metadata.CreationTimestamp ?? now.UtcDateTime;
                    webhook.Metadata.Finalizers = existing?.Metadata.Finalizers;
                    webhook.Status = existing?.Status;
                    _webhooks[key] = webhook;
                    Publish(existing is null ? WatchEventType.Added : WatchEventType.Modified, webhook);
                    changed.Add(new ObjectKey(key.Item1, key.Item2));
                }
                else if (RouteResolver.ReferencedSecrets(existing).Any(s => changedSecrets.Contains((key.Item1, s))))
                {
                    changed.Add(new ObjectKey(key.Item1, key.Item2));
                }
            }

            foreach (var (key, existing) in _webhooks.Where(w => !incoming.ContainsKey(w.Key) && w.Value.Metadata.DeletionTimestamp is null).ToList())
            {
                existing.Metadata.DeletionTimestamp = now.UtcDateTime;
                Publish(WatchEventType.Modified, existing);
                changed.Add(new ObjectKey(key.Item1, key.Item2));
            }
        }

        return [.. changed];
    }

    public Task<V1Alpha1Webhook> SetFinalizersAsync(V1Alpha1Webhook webhook, IList<string> finalizers, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var key = (webhook.Metadata.NamespaceProperty, webhook.Metadata.Name);
            webhook.Metadata.Finalizers = finalizers;
            if (webhook.Metadata.DeletionTimestamp is not null && finalizers.Count == 0)
            {
                _webhooks.Remove(key);
                if (_generated.Remove((key.NamespaceProperty, webhook.Status?.SigningSecretName ?? string.Empty), out var generated))
                {
                    Publish(WatchEventType.Deleted, generated);
                }

                Publish(WatchEventType.Deleted, webhook);
            }
            else
            {
                Publish(WatchEventType.Modified, webhook);
            }
        }

        return Task.FromResult(webhook);
    }

    public Task UpdateStatusAsync(V1Alpha1Webhook webhook, WebhookStatus status, CancellationToken cancellationToken)
    {
        var before = Conditions.Find(webhook.Status?.Conditions, Conditions.Ready);
        lock (_lock)
        {
            webhook.Status = status;
            Publish(WatchEventType.Modified, webhook);
        }

        var ready = Conditions.Find(status.Conditions, Conditions.Ready);
        if (ready is not null && (before?.Status != ready.Status || before.Message != ready.Message))
        {
            Log.StatusChanged(logger, webhook.Metadata.NamespaceProperty, webhook.Metadata.Name, ready.Status, ready.Reason, ready.Message);
        }

        return Task.CompletedTask;
    }

    public Task<V1Secret> CreateOwnedSecretAsync(V1Alpha1Webhook owner, string name, IDictionary<string, byte[]> data, CancellationToken cancellationToken)
    {
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = owner.Metadata.NamespaceProperty }, Data = data };
        lock (_lock)
        {
            _generated[(owner.Metadata.NamespaceProperty, name)] = secret;
            Publish(WatchEventType.Added, secret);
        }

        return Task.FromResult(secret);
    }

    public Task RecordEventAsync(V1Alpha1Webhook webhook, string type, string reason, string message, CancellationToken cancellationToken)
    {
        Log.EventRecorded(logger, type, reason, webhook.Metadata.NamespaceProperty, webhook.Metadata.Name, message);
        return Task.CompletedTask;
    }

    Task<ListPage<V1Alpha1Webhook>> IListWatch<V1Alpha1Webhook>.ListAsync(string? @namespace, int limit, string? continueToken, CancellationToken cancellationToken) =>
        Task.FromResult(List<V1Alpha1Webhook>(_webhooks.Values, @namespace));

    Task<ListPage<V1Secret>> IListWatch<V1Secret>.ListAsync(string? @namespace, int limit, string? continueToken, CancellationToken cancellationToken) =>
        Task.FromResult(List<V1Secret>(_secrets.Values.Concat(_generated.Values), @namespace));

    IAsyncEnumerable<(WatchEventType Type, V1Alpha1Webhook Object)> IListWatch<V1Alpha1Webhook>.WatchAsync(
        string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken) =>
        WatchAsync<V1Alpha1Webhook>(@namespace, resourceVersion, timeoutSeconds, onError, cancellationToken);

    IAsyncEnumerable<(WatchEventType Type, V1Secret Object)> IListWatch<V1Secret>.WatchAsync(
        string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken) =>
        WatchAsync<V1Secret>(@namespace, resourceVersion, timeoutSeconds, onError, cancellationToken);

    private ListPage<T> List<T>(IEnumerable<T> items, string? @namespace)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_lock)
        {
            var copies = items.Where(i => @namespace is null || i.Metadata.NamespaceProperty == @namespace).Select(Copy).ToList();
            return new ListPage<T>(copies, _version.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        }
    }

    /// <summary>Replays the changes after <paramref name="resourceVersion"/>, then follows new ones until the timeout.</summary>
    private async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync<T>(
        string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var from = long.Parse(resourceVersion, System.Globalization.CultureInfo.InvariantCulture);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds), timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        while (!linked.IsCancellationRequested)
        {
            List<(WatchEventType, T)> pending;
            Task changed;
            lock (_lock)
            {
                if (_changes.Count > 0 && from < _changes[0].Version - 1)
                {
                    onError(new KubernetesException(new V1Status { Code = 410, Reason = "Expired", Message = $"too old resource version: {from} ({_changes[0].Version - 1})" }));
                    yield break;
                }

                pending = [.. _changes.Where(c => c.Version > from && c.Object is T o && (@namespace is null || o.Metadata.NamespaceProperty == @namespace))
                    .Select(c => (c.Type, Copy((T)c.Object)))];
                from = _version;
                changed = _changed.Task;
            }

            foreach (var change in pending)
            {
                yield return change;
            }

            try
            {
                await changed.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>Records a change for watchers; called under the lock.</summary>
    private void Publish(WatchEventType type, IKubernetesObject<V1ObjectMeta> obj)
    {
        obj.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _changes.Add((_version, type, obj switch
        {
            V1Alpha1Webhook webhook => Copy(webhook),
            V1Secret secret => Copy(secret),
            _ => throw new ArgumentException($"unexpected kind {obj.Kind}", nameof(obj)),
        }));
        if (_changes.Count > MaxChanges)
        {
            _changes.RemoveRange(0, _changes.Count - MaxChanges);
        }

        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static T Copy<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    /// <summary>A name-based UUID: the same Webhook keeps the same route across restarts.</summary>
    public static string StableUid(string @namespace, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"auditlog.dev/Webhook/{@namespace}/{name}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    private static string Fingerprint(IDictionary<string, byte[]>? data) =>
        data is null ? string.Empty : Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(data.OrderBy(d => d.Key).ToList())));
}

using System.Diagnostics.CodeAnalysis;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Webhooks.Operator.Controller.Informers;

/// <summary>
/// Keeps an in-memory copy of one kind, after client-go's reflector and informer: it lists, then
/// watches from the list's resourceVersion with bookmarks, and tells its handlers what changed. A
/// dropped or failed watch resumes from the last resourceVersion seen, after a jittered backoff; a
/// 410 Gone means events were lost, so it lists again and hands the differences to the handlers as
/// adds, updates and deletes. One list/watch runs per configured namespace, or one for all.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> may be called again after a run ends: every run starts from an empty cache
/// with a fresh list, which is what a new leader needs.
/// </remarks>
public sealed class Informer<T> : IInformerCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private const string AllNamespaces = "";

    private readonly object _gate = new();
    private readonly Dictionary<ObjectKey, T> _cache = [];
    private readonly Dictionary<string, string> _resourceVersions = [];
    private readonly List<InformerEventHandler<T>> _handlers = [];
    private readonly IListWatch<T> _listWatch;
    private readonly InformerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _kind = typeof(T).Name;
    private TaskCompletionSource _synced = NewSyncSignal();
    private int _unsyncedScopes;
    private bool _started;
    private bool _running;

    public Informer(IListWatch<T> listWatch, InformerOptions options, TimeProvider timeProvider, ILogger<Informer<T>> logger)
    {
        _listWatch = listWatch;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public bool HasSynced
    {
        get
        {
            lock (_gate)
            {
                return _running && _unsyncedScopes == 0;
            }
        }
    }

    /// <summary>Registers callbacks for cache changes; only before the first run, so no handler misses the initial list.</summary>
    public void AddEventHandler(InformerEventHandler<T> handler)
    {
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("Event handlers must be added before the informer runs.");
            }

            _handlers.Add(handler);
        }
    }

    /// <summary>Completes when the current (or next) run has listed every namespace; cancelled if that run ends first.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _synced.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The resourceVersion the watch of <paramref name="namespace"/> (<c>null</c>: the cluster-wide one) would resume from.</summary>
    public string? GetLastSyncResourceVersion(string? @namespace = null)
    {
        lock (_gate)
        {
            return _resourceVersions.GetValueOrDefault(@namespace ?? AllNamespaces);
        }
    }

    public bool TryGet(ObjectKey key, [MaybeNullWhen(false)] out T value)
    {
        lock (_gate)
        {
            return _cache.TryGetValue(key, out value);
        }
    }

    public IReadOnlyList<T> List()
    {
        lock (_gate)
        {
            return [.. _cache.Values];
        }
    }

    public IReadOnlyList<T> List(string @namespace)
    {
        lock (_gate)
        {
            return [.. _cache.Where(entry => entry.Key.Namespace == @namespace).Select(entry => entry.Value)];
        }
    }

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled, then empties the cache.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string?[] scopes = _options.Namespaces.Count == 0 ? [null] : [.. _options.Namespaces.Distinct(StringComparer.Ordinal)];
        lock (_gate)
        {
            if (_running)
            {
                throw new InvalidOperationException($"The {_kind} informer is already running.");
            }

            _started = true;
            _running = true;
            _unsyncedScopes = scopes.Length;
        }

        try
        {
            await Task.WhenAll(scopes.Select(scope => RunScopeAsync(scope, cancellationToken)));
        }
        finally
        {
            TaskCompletionSource ended;
            lock (_gate)
            {
                _running = false;
                _cache.Clear();
                _resourceVersions.Clear();
                ended = _synced;
                _synced = NewSyncSignal();
            }

            ended.TrySetCanceled(cancellationToken);
        }
    }

    private async Task RunScopeAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var scope = ScopeName(@namespace);
        string? resourceVersion = null;
        var failures = 0;
        var listed = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (failures > 0)
            {
                var delay = ExponentialBackoff.Jitter(
                    ExponentialBackoff.Delay(_options.BackoffBase, _options.BackoffMax, failures),
                    Random.Shared.NextDouble());
                try
                {
                    await Task.Delay(delay, _timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (resourceVersion is null)
            {
                try
                {
                    resourceVersion = await ListAsync(@namespace, cancellationToken);
                }
                catch (Exception error) when (!cancellationToken.IsCancellationRequested)
                {
                    failures++;
                    _logger.InformerListFailed(error, _kind, scope, failures);
                    continue;
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (!listed)
                {
                    listed = true;
                    MarkScopeSynced();
                }
            }

            var outcome = await WatchAsync(@namespace, resourceVersion, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            resourceVersion = outcome.ResourceVersion;
            // A stream that delivered something was healthy, so its end starts a fresh backoff;
            // one that ended with nothing counts towards the last one.
            failures = outcome.SawEvents ? 0 : failures + 1;
            if (IsExpired(outcome.Error))
            {
                _logger.InformerWatchExpired(_kind, scope, resourceVersion);
                resourceVersion = null;
            }
            else if (outcome.Error is not null)
            {
                // An error always waits before the next attempt, even after a healthy stream.
                failures = Math.Max(failures, 1);
                _logger.InformerWatchFailed(outcome.Error, _kind, scope, resourceVersion);
            }
            else
            {
                _logger.InformerWatchClosed(_kind, scope, resourceVersion);
            }
        }
    }

    private async Task<string> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await _listWatch.ListAsync(@namespace, _options.PageSize, continueToken, cancellationToken);
            items.AddRange(page.Items);
            resourceVersion = page.ResourceVersion;
            continueToken = string.IsNullOrEmpty(page.ContinueToken) ? null : page.ContinueToken;
        }
        while (continueToken is not null);

        lock (_gate)
        {
            Replace(@namespace, items);
            _resourceVersions[@namespace ?? AllNamespaces] = resourceVersion;
        }

        _logger.InformerListed(_kind, ScopeName(@namespace), items.Count, resourceVersion);
        return resourceVersion;
    }

    private async Task<WatchOutcome> WatchAsync(string? @namespace, string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? error = null;
        var sawEvents = false;
        var timeoutSeconds = (int)Math.Max(1, _options.MinWatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble()));
        _logger.InformerWatchStarted(_kind, ScopeName(@namespace), resourceVersion);
        try
        {
            // KubernetesClient reports an ERROR event (such as 410 Expired) through onError and
            // keeps reading. The API server ends the stream right after one, and that end is
            // awaited rather than forced: cancelling makes the client abandon a pending read and
            // dispose the stream under it, which can hand a broken connection back to the pool
            // just as the server's end arrives, and the next list on it hangs.
            var events = _listWatch.WatchAsync(@namespace, resourceVersion, timeoutSeconds, exception => error ??= exception, cancellationToken);
            await foreach (var (type, item) in events.WithCancellation(cancellationToken))
            {
                if (error is not null)
                {
                    // Whatever follows an error cannot be trusted to be complete.
                    break;
                }

                sawEvents = true;
                if (item.Metadata?.ResourceVersion is { Length: > 0 } version)
                {
                    resourceVersion = version;
                }

                lock (_gate)
                {
                    Apply(type, item);
                    _resourceVersions[@namespace ?? AllNamespaces] = resourceVersion;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception exception)
        {
            error ??= exception;
        }

        return new WatchOutcome(resourceVersion, sawEvents, error);
    }

    private void Apply(WatchEventType type, T item)
    {
        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                Upsert(item);
                break;
            case WatchEventType.Deleted:
                if (_cache.Remove(ObjectKey.From(item)))
                {
                    Dispatch(handler => handler.OnDelete?.Invoke(item));
                }

                break;
        }
    }

    /// <summary>Makes the cache of one scope equal to a fresh list and reports the differences.</summary>
    private void Replace(string? @namespace, List<T> items)
    {
        var listed = items.Select(ObjectKey.From).ToHashSet();
        var gone = _cache
            .Where(entry => (@namespace is null || entry.Key.Namespace == @namespace) && !listed.Contains(entry.Key))
            .ToList();
        foreach (var (key, last) in gone)
        {
            _cache.Remove(key);
            Dispatch(handler => handler.OnDelete?.Invoke(last));
        }

        foreach (var item in items)
        {
            Upsert(item);
        }
    }

    private void Upsert(T item)
    {
        var key = ObjectKey.From(item);
        if (_cache.TryGetValue(key, out var old))
        {
            _cache[key] = item;
            // An unchanged resourceVersion is the same object seen twice (a relist), not a change.
            if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                Dispatch(handler => handler.OnUpdate?.Invoke(old, item));
            }

            return;
        }

        _cache[key] = item;
        Dispatch(handler => handler.OnAdd?.Invoke(item));
    }

    private void Dispatch(Action<InformerEventHandler<T>> invoke)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                invoke(handler);
            }
            catch (Exception error)
            {
                // One faulty handler must not stop the cache or the other handlers.
                _logger.InformerHandlerFailed(error, _kind);
            }
        }
    }

    private void MarkScopeSynced()
    {
        TaskCompletionSource? synced = null;
        lock (_gate)
        {
            if (--_unsyncedScopes == 0)
            {
                synced = _synced;
            }
        }

        synced?.TrySetResult();
    }

    private static bool IsExpired(Exception? error) => error switch
    {
        KubernetesException { Status.Code: (int)HttpStatusCode.Gone } => true,
        HttpOperationException { Response.StatusCode: HttpStatusCode.Gone } => true,
        _ => false,
    };

    private static string ScopeName(string? @namespace) => @namespace ?? "all namespaces";

    private static TaskCompletionSource NewSyncSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record WatchOutcome(string ResourceVersion, bool SawEvents, Exception? Error);
}

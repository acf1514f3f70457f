using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Webhooks.Operator.Controller.Informers;

namespace Webhooks.Operator.Tests.Controller.Support;

/// <summary>
/// Passes list and watch calls through, counting them, and can hold new watches at a gate: a test
/// closes it, drops the watches, changes objects while the informer is provably disconnected, then
/// opens it.
/// </summary>
internal sealed class GatedListWatch<T>(IListWatch<T> inner) : IListWatch<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly object _lock = new();
    private TaskCompletionSource _open = Completed();
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _listCalls;

    public int ListCalls => Volatile.Read(ref _listCalls);

    /// <summary>The resourceVersion of every watch call, in order.</summary>
    public ConcurrentQueue<string> WatchedFrom { get; } = new();

    /// <summary>Completes once a watch call waits at the closed gate.</summary>
    public Task Held
    {
        get
        {
            lock (_lock)
            {
                return _held.Task;
            }
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            _open.TrySetResult();
        }
    }

    public Task<ListPage<T>> ListAsync(string? @namespace, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        if (continueToken is null)
        {
            Interlocked.Increment(ref _listCalls);
        }

        return inner.ListAsync(@namespace, limit, continueToken, cancellationToken);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string? @namespace,
        string resourceVersion,
        int timeoutSeconds,
        Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        WatchedFrom.Enqueue(resourceVersion);
        TaskCompletionSource open;
        lock (_lock)
        {
            open = _open;
            if (!open.Task.IsCompleted)
            {
                _held.TrySetResult();
            }
        }

        await open.Task.WaitAsync(cancellationToken);
        await foreach (var item in inner.WatchAsync(@namespace, resourceVersion, timeoutSeconds, onError, cancellationToken))
        {
            yield return item;
        }
    }

    private static TaskCompletionSource Completed()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}

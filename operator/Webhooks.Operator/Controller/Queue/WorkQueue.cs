namespace Webhooks.Operator.Controller.Queue;

/// <summary>
/// A de-duplicating work queue with delayed and rate-limited adds, after client-go's workqueue.
/// A key waits in the queue at most once; a key that is being processed is never handed to a second
/// worker, and if it is added meanwhile it is queued again when the worker calls <see cref="Done"/>.
/// </summary>
public sealed class WorkQueue
{
    private readonly object _gate = new();
    private readonly LinkedList<ObjectKey> _queue = new();
    private readonly HashSet<ObjectKey> _dirty = [];
    private readonly HashSet<ObjectKey> _processing = [];
    private readonly Dictionary<ObjectKey, DelayedAdd> _delayed = [];
    private readonly Dictionary<ObjectKey, int> _failures = [];
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly WorkQueueOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IWorkQueueMetrics? _metrics;
    private bool _shuttingDown;

    public WorkQueue(WorkQueueOptions options, TimeProvider timeProvider, IWorkQueueMetrics? metrics = null)
    {
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
    }

    /// <summary>How many keys wait to be handed to a worker (not counting delayed or in-process ones).</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="key"/> unless it is already waiting; ignored after <see cref="ShutDown"/>.</summary>
    public void Add(ObjectKey key)
    {
        lock (_gate)
        {
            AddLocked(key);
        }
    }

    /// <summary>
    /// Queues <paramref name="key"/> once <paramref name="delay"/> has passed on the queue's clock. Of
    /// several pending delayed adds for one key only the earliest is kept.
    /// </summary>
    public void AddAfter(ObjectKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            var readyAt = _timeProvider.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.ReadyAt <= readyAt)
                {
                    return;
                }

                pending.Timer.Dispose();
            }

            var delayed = new DelayedAdd(key, readyAt);
            _delayed[key] = delayed;
            // The callback takes this lock, so it cannot see the entry before its timer is assigned.
            delayed.Timer = _timeProvider.CreateTimer(
                static state =>
                {
                    var (queue, delayed) = ((WorkQueue, DelayedAdd))state!;
                    queue.OnDelayElapsed(delayed);
                },
                (this, delayed),
                delay,
                Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Queues <paramref name="key"/> after its backoff: the base delay, doubled per earlier failure since <see cref="Forget"/>.</summary>
    public void AddRateLimited(ObjectKey key)
    {
        TimeSpan delay;
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            var failures = _failures.GetValueOrDefault(key) + 1;
            _failures[key] = failures;
            delay = ExponentialBackoff.Delay(_options.BaseDelay, _options.MaxDelay, failures);
        }

        _metrics?.Retried();
        AddAfter(key, delay);
    }

    /// <summary>Resets the backoff of <paramref name="key"/>, typically after it was processed successfully.</summary>
    public void Forget(ObjectKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>How many rate-limited adds <paramref name="key"/> has had since it was last forgotten.</summary>
    public int NumRequeues(ObjectKey key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Waits for the next key and marks it as being processed; the caller must call <see cref="Done"/>
    /// with it. Returns <c>null</c> once the queue is shut down.
    /// </summary>
    public Task<ObjectKey?> GetAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return Task.FromResult<ObjectKey?>(null);
            }

            if (_queue.First is { } first)
            {
                _queue.RemoveFirst();
                return Task.FromResult<ObjectKey?>(StartProcessingLocked(first.Value));
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled<ObjectKey?>(cancellationToken);
            }

            waiter = new Waiter();
            waiter.Node = _waiters.AddLast(waiter);
        }

        // Registered outside the lock because a token cancelled meanwhile runs the callback inline.
        var registration = cancellationToken.Register(
            static state =>
            {
                var (queue, waiter, token) = ((WorkQueue, Waiter, CancellationToken))state!;
                queue.CancelWaiter(waiter, token);
            },
            (this, waiter, cancellationToken));
        lock (_gate)
        {
            if (waiter.Node.List is not null)
            {
                waiter.Registration = registration;
                return waiter.Task;
            }
        }

        // A key or the shutdown reached the waiter before the registration was stored.
        registration.Unregister();
        return waiter.Task;
    }

    /// <summary>Marks <paramref name="key"/> as processed; if it was added meanwhile it is queued again.</summary>
    public void Done(ObjectKey key)
    {
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shuttingDown)
            {
                EnqueueLocked(key);
            }
        }
    }

    /// <summary>Stops the queue: pending and future <see cref="GetAsync"/> calls return <c>null</c>, adds are ignored.</summary>
    public void ShutDown()
    {
        List<Waiter> waiters;
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            foreach (var delayed in _delayed.Values)
            {
                delayed.Timer.Dispose();
            }

            _delayed.Clear();
            _queue.Clear();
            _dirty.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
            _metrics?.SetDepth(0);
        }

        foreach (var waiter in waiters)
        {
            waiter.Registration.Unregister();
            waiter.TrySetResult(null);
        }
    }

    private void AddLocked(ObjectKey key)
    {
        if (_shuttingDown || !_dirty.Add(key))
        {
            return;
        }

        _metrics?.Added();
        if (_processing.Contains(key))
        {
            // Done(key) queues it again, so one key never reaches two workers at once.
            return;
        }

        EnqueueLocked(key);
    }

    private void EnqueueLocked(ObjectKey key)
    {
        // Hand the key straight to a waiting worker when there is one; a waiter is only in the
        // list while its task is pending, because cancellation removes it under this lock.
        if (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            var waiter = first.Value;
            // Unregister, not Dispose: Dispose would wait for a running cancel callback, which
            // is blocked on this lock.
            waiter.Registration.Unregister();
            waiter.TrySetResult(StartProcessingLocked(key));
            return;
        }

        _queue.AddLast(key);
        _metrics?.SetDepth(_queue.Count);
    }

    private ObjectKey StartProcessingLocked(ObjectKey key)
    {
        _dirty.Remove(key);
        _processing.Add(key);
        _metrics?.SetDepth(_queue.Count);
        return key;
    }

    private void OnDelayElapsed(DelayedAdd delayed)
    {
        lock (_gate)
        {
            // A replaced or shut-down entry's timer may still fire once; only the current one counts.
            if (!_delayed.TryGetValue(delayed.Key, out var current) || !ReferenceEquals(current, delayed))
            {
                return;
            }

            _delayed.Remove(delayed.Key);
            delayed.Timer.Dispose();
            AddLocked(delayed.Key);
        }
    }

    private void CancelWaiter(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Node.List is null)
            {
                // Already handed a key or released by ShutDown.
                return;
            }

            _waiters.Remove(waiter.Node);
        }

        waiter.TrySetCanceled(cancellationToken);
    }

    private sealed class Waiter() : TaskCompletionSource<ObjectKey?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public LinkedListNode<Waiter> Node { get; set; } = null!;

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class DelayedAdd(ObjectKey key, DateTimeOffset readyAt)
    {
        public ObjectKey Key { get; } = key;

        public DateTimeOffset ReadyAt { get; } = readyAt;

        public ITimer Timer { get; set; } = null!;
    }
}

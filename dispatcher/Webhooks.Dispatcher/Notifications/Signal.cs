namespace Webhooks.Dispatcher.Notifications;

/// <summary>
/// A coalescing wake-up: any number of <see cref="Set"/> calls while nobody waits wake the next
/// waiter once. Waiters reset it as they wake, before doing their work, so a Set that arrives
/// during the work is kept for the next wait instead of lost.
/// </summary>
public sealed class Signal
{
    private TaskCompletionSource _pending = NewSource();

    public void Set() => Volatile.Read(ref _pending).TrySetResult();

    /// <summary>
    /// Waits for a <see cref="Set"/>, <paramref name="timeout"/> or cancellation, and returns
    /// whether it was set. Cancellation ends the wait without throwing: loops check their token.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var pending = Volatile.Read(ref _pending);
        var signalled = true;
        if (!pending.Task.IsCompleted)
        {
            try
            {
                await pending.Task.WaitAsync(timeout, timeProvider, cancellationToken);
            }
            catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
            {
                signalled = false;
            }
        }

        if (pending.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _pending, NewSource(), pending);
        }

        return signalled;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The wake-ups the dispatcher's loops wait on, fed by NOTIFY and by each other.</summary>
public sealed class DispatcherSignals
{
    /// <summary>Audit records await fan-out.</summary>
    public Signal EventsArrived { get; } = new();

    /// <summary>Deliveries may be due, or a worker slot or endpoint slot freed up.</summary>
    public Signal DeliveriesReady { get; } = new();

    /// <summary>The routing table revision changed.</summary>
    public Signal RoutesChanged { get; } = new();

    public void SetAll()
    {
        EventsArrived.Set();
        DeliveriesReady.Set();
        RoutesChanged.Set();
    }
}

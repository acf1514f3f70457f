using k8s.LeaderElection;

namespace Webhooks.Operator.Controller.Leadership;

/// <summary>
/// The <see cref="ILock"/> one <see cref="LeaderElector"/> term writes through. KubernetesClient's
/// elector does not wait for its renewal task when cancelled, and <c>MetaObjectLock</c> shares one
/// cached Lease between calls, so an abandoned renewal could still write the Lease after the term
/// ended (and even overwrite a release). Closing the fence refuses such late writes and waits for
/// the ones in flight.
/// </summary>
internal sealed class FencedLock(ILock inner) : ILock
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writesInFlight;
    private bool _closed;

    public string Identity => inner.Identity;

    public string Describe() => inner.Describe();

    public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => inner.GetAsync(cancellationToken);

    public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        WriteAsync(() => inner.CreateAsync(record, cancellationToken));

    public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        WriteAsync(() => inner.UpdateAsync(record, cancellationToken));

    /// <summary>Refuses further writes; completes when the writes already started have finished.</summary>
    public Task CloseAsync()
    {
        lock (_gate)
        {
            _closed = true;
            if (_writesInFlight == 0)
            {
                _drained.TrySetResult();
            }

            return _drained.Task;
        }
    }

    private async Task<bool> WriteAsync(Func<Task<bool>> write)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _writesInFlight++;
        }

        try
        {
            return await write();
        }
        finally
        {
            lock (_gate)
            {
                if (--_writesInFlight == 0 && _closed)
                {
                    _drained.TrySetResult();
                }
            }
        }
    }
}

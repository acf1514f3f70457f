using k8s.LeaderElection;

namespace Webhooks.Operator.Tests.Controller.Support;

/// <summary>An <see cref="ILock"/> whose writes can be made to fail, as when a leader is cut off from the API server.</summary>
internal sealed class SwitchableLock(ILock inner) : ILock
{
    private volatile bool _failWrites;

    public string Identity => inner.Identity;

    public void FailWrites() => _failWrites = true;

    public string Describe() => inner.Describe();

    public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => inner.GetAsync(cancellationToken);

    public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        _failWrites ? Task.FromResult(false) : inner.CreateAsync(record, cancellationToken);

    public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        _failWrites ? Task.FromResult(false) : inner.UpdateAsync(record, cancellationToken);
}

namespace Webhooks.Operator.Controller;

/// <summary>
/// Brings the world in line with one object. Returns when to look again (null: not until
/// something changes); throwing means a failure, retried with per-key backoff.
/// </summary>
public interface IReconciler
{
    Task<TimeSpan?> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}

namespace Webhooks.Operator.Controller;

/// <summary>
/// Drives one object towards its desired state. Called by the controller's workers, never
/// concurrently for the same key.
/// </summary>
public interface IReconciler
{
    /// <summary>
    /// Reconciles the object named by <paramref name="key"/>, which may no longer exist.
    /// </summary>
    /// <returns>
    /// <c>null</c> when done; a positive delay to reconcile again after it (the failure backoff is
    /// reset); <see cref="TimeSpan.Zero"/> to requeue now with the rate-limited backoff. Throwing
    /// also requeues with the rate-limited backoff and counts as an error.
    /// </returns>
    Task<TimeSpan?> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}

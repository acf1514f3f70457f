using k8s.Models;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Reconciliation;

/// <summary>
/// What the reconciler reads and writes, so one reconciler serves a cluster (API server and
/// informer caches) and file mode (a directory of manifests). Reads come from caches; writes go
/// only to finalizers, <c>/status</c>, Events and generated Secrets, never to spec, labels or annotations.
/// </summary>
public interface IResourceAccess
{
    V1Alpha1Webhook? GetWebhook(string @namespace, string name);

    V1Secret? GetSecret(string @namespace, string name);

    /// <summary>Sets <c>metadata.finalizers</c> (only) and returns the updated object.</summary>
    Task<V1Alpha1Webhook> SetFinalizersAsync(V1Alpha1Webhook webhook, IList<string> finalizers, CancellationToken cancellationToken);

    /// <summary>Writes <c>/status</c> (only).</summary>
    Task UpdateStatusAsync(V1Alpha1Webhook webhook, WebhookStatus status, CancellationToken cancellationToken);

    /// <summary>Creates a Secret owned by <paramref name="owner"/>, so it is deleted with it.</summary>
    Task<V1Secret> CreateOwnedSecretAsync(V1Alpha1Webhook owner, string name, IDictionary<string, byte[]> data, CancellationToken cancellationToken);

    /// <summary>Records a Kubernetes Event about <paramref name="webhook"/>; repeats are aggregated.</summary>
    Task RecordEventAsync(V1Alpha1Webhook webhook, string type, string reason, string message, CancellationToken cancellationToken);
}

public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

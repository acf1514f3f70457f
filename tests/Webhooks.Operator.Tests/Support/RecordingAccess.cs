using k8s.Models;
using Webhooks.Operator.Reconciliation;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Tests.Support;

/// <summary>Wraps an <see cref="IResourceAccess"/> and records the writes, for assertions on status writes and Events.</summary>
public sealed class RecordingAccess(IResourceAccess inner) : IResourceAccess
{
    public List<(string Type, string Reason, string Message)> Events { get; } = [];

    public int StatusWrites { get; private set; }

    public V1Alpha1Webhook? GetWebhook(string @namespace, string name) => inner.GetWebhook(@namespace, name);

    public V1Secret? GetSecret(string @namespace, string name) => inner.GetSecret(@namespace, name);

    public Task<V1Alpha1Webhook> SetFinalizersAsync(V1Alpha1Webhook webhook, IList<string> finalizers, CancellationToken cancellationToken) =>
        inner.SetFinalizersAsync(webhook, finalizers, cancellationToken);

    public Task UpdateStatusAsync(V1Alpha1Webhook webhook, WebhookStatus status, CancellationToken cancellationToken)
    {
        StatusWrites++;
        return inner.UpdateStatusAsync(webhook, status, cancellationToken);
    }

    public Task<V1Secret> CreateOwnedSecretAsync(V1Alpha1Webhook owner, string name, IDictionary<string, byte[]> data, CancellationToken cancellationToken) =>
        inner.CreateOwnedSecretAsync(owner, name, data, cancellationToken);

    public Task RecordEventAsync(V1Alpha1Webhook webhook, string type, string reason, string message, CancellationToken cancellationToken)
    {
        Events.Add((type, reason, message));
        return inner.RecordEventAsync(webhook, type, reason, message, cancellationToken);
    }
}

using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Webhooks.Operator.Events;
using Webhooks.Operator.Reconciliation;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Cluster;

/// <summary>
/// The cluster side of <see cref="IResourceAccess"/>: reads from the informer caches, writes
/// through the API with optimistic concurrency (a stale object gets 409 and the key is retried).
/// Writes touch only finalizers, <c>/status</c>, Events and the generated signing Secret.
/// </summary>
public sealed class KubernetesResourceAccess(
    IKubernetes client,
    Func<string, string, V1Alpha1Webhook?> webhooks,
    Func<string, string, V1Secret?> secrets,
    KubernetesEventRecorder events,
    ILogger<KubernetesResourceAccess> logger) : IResourceAccess
{
    public V1Alpha1Webhook? GetWebhook(string @namespace, string name) => webhooks(@namespace, name);

    public V1Secret? GetSecret(string @namespace, string name) => secrets(@namespace, name);

    public async Task<V1Alpha1Webhook> SetFinalizersAsync(V1Alpha1Webhook webhook, IList<string> finalizers, CancellationToken cancellationToken)
    {
        // resourceVersion in the patch makes it conditional: no finalizer list is lost to a race.
        var patch = new V1Patch(KubernetesJson.Serialize(new { metadata = new { finalizers, resourceVersion = webhook.Metadata.ResourceVersion } }), V1Patch.PatchType.MergePatch);
        var updated = await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            patch, V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, webhook.Metadata.NamespaceProperty, V1Alpha1Webhook.Plural, webhook.Metadata.Name,
            cancellationToken: cancellationToken);
        return Convert(updated);
    }

    public async Task UpdateStatusAsync(V1Alpha1Webhook webhook, WebhookStatus status, CancellationToken cancellationToken)
    {
        var body = new V1Alpha1Webhook { Metadata = webhook.Metadata, Spec = webhook.Spec, Status = status };
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(
            body, V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, webhook.Metadata.NamespaceProperty, V1Alpha1Webhook.Plural, webhook.Metadata.Name,
            cancellationToken: cancellationToken);
    }

    public async Task<V1Secret> CreateOwnedSecretAsync(V1Alpha1Webhook owner, string name, IDictionary<string, byte[]> data, CancellationToken cancellationToken)
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = owner.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "webhooks-operator" },
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, BlockOwnerDeletion = true, Controller = true },
                ],
            },
            Type = "Opaque",
            Data = data,
        };
        try
        {
            return await client.CoreV1.CreateNamespacedSecretAsync(secret, owner.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException exception) when (exception.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier pass the cache has not seen yet: use that one, never overwrite a key.
            return await client.CoreV1.ReadNamespacedSecretAsync(name, owner.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
    }

    public async Task RecordEventAsync(V1Alpha1Webhook webhook, string type, string reason, string message, CancellationToken cancellationToken)
    {
        try
        {
            await events.RecordAsync(webhook, type, reason, message, cancellationToken);
        }
        catch (HttpOperationException exception)
        {
            // Events are best effort, as in client-go: a lost Event must not fail the reconcile.
            Log.EventFailed(logger, reason, webhook.Metadata.NamespaceProperty, webhook.Metadata.Name, exception);
        }
    }

    private static V1Alpha1Webhook Convert(object result) => result switch
    {
        JsonElement element => KubernetesJson.Deserialize<V1Alpha1Webhook>(element.GetRawText()),
        _ => KubernetesJson.Deserialize<V1Alpha1Webhook>(KubernetesJson.Serialize(result)),
    };
}

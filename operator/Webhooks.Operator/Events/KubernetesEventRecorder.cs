using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Events;

/// <summary>
/// Writes core/v1 Events the way kubectl describe expects, aggregated like client-go's recorder:
/// a repeat of the same reason and message on the same object bumps <c>count</c> and
/// <c>lastTimestamp</c> of the existing Event instead of adding another.
/// </summary>
public sealed class KubernetesEventRecorder(IKubernetes client, TimeProvider timeProvider, string reportingInstance)
{
    public const string Component = "webhooks-operator";
    private const int MaxTracked = 4096;
    private readonly ConcurrentDictionary<(string Uid, string Type, string Reason, string Message), (string Name, int Count)> _recent = new();

    public async Task RecordAsync(V1Alpha1Webhook webhook, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var ns = webhook.Metadata.NamespaceProperty;
        var key = (webhook.Metadata.Uid, type, reason, message);
        if (_recent.TryGetValue(key, out var existing))
        {
            var count = existing.Count + 1;
            var patch = new V1Patch(KubernetesJson.Serialize(new { count, lastTimestamp = now }), V1Patch.PatchType.MergePatch);
            try
            {
                await client.CoreV1.PatchNamespacedEventAsync(patch, existing.Name, ns, cancellationToken: cancellationToken);
                _recent[key] = (existing.Name, count);
                return;
            }
            catch (k8s.Autorest.HttpOperationException exception) when (exception.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The Event expired (the API server keeps them about an hour): start a new one.
            }
        }

        if (_recent.Count >= MaxTracked)
        {
            _recent.Clear();
        }

        var name = $"{webhook.Metadata.Name}.{now.Ticks:x}{Random.Shared.Next(0x1000):x3}";
        await client.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference
                {
                    ApiVersion = webhook.ApiVersion,
                    Kind = webhook.Kind,
                    Name = webhook.Metadata.Name,
                    NamespaceProperty = ns,
                    Uid = webhook.Metadata.Uid,
                    ResourceVersion = webhook.Metadata.ResourceVersion,
                },
                Type = type,
                Reason = reason,
                Message = message,
                Count = 1,
                FirstTimestamp = now,
                LastTimestamp = now,
                Source = new V1EventSource { Component = Component },
                ReportingComponent = $"auditlog.dev/{Component}",
                ReportingInstance = reportingInstance,
            },
            ns,
            cancellationToken: cancellationToken);
        _recent[key] = (name, 1);
    }
}

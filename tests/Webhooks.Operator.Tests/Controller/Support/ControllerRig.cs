using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Controller.Informers;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Tests.Controller.Support;

/// <summary>
/// A <see cref="WebhookController"/> wired the way the operator wires it — Secrets map to the Webhooks
/// in the cache that reference them — with its own metrics registry.
/// </summary>
internal sealed class ControllerRig
{
    public ControllerRig(KubeTestEnvironment env, IReconciler reconciler, TimeProvider? controllerTime = null, ControllerOptions? options = null)
    {
        Options = options ?? new ControllerOptions();
        Metrics = new OperatorMetrics(Prometheus.Metrics.NewCustomRegistry());
        var informerOptions = new InformerOptions { Namespaces = Options.Namespaces, BackoffBase = TimeSpan.FromMilliseconds(10) };
        var webhooks = new Informer<V1Alpha1Webhook>(ListWatch.ForWebhooks(env.Client), informerOptions, TimeProvider.System, NullLogger<Informer<V1Alpha1Webhook>>.Instance);
        var secrets = new Informer<V1Secret>(ListWatch.ForSecrets(env.Client), informerOptions, TimeProvider.System, NullLogger<Informer<V1Secret>>.Instance);
        Controller = new WebhookController(
            webhooks,
            secrets,
            secret => ReferencingWebhooks(webhooks, secret),
            reconciler,
            Options,
            Metrics,
            controllerTime ?? TimeProvider.System,
            NullLogger<WebhookController>.Instance);
    }

    public ControllerOptions Options { get; }

    public OperatorMetrics Metrics { get; }

    public WebhookController Controller { get; }

    public double Reconciles(string result) => Metrics.ReconcileTotal.WithLabels(Options.Name, result).Value;

    public double Errors => Metrics.ReconcileErrors.WithLabels(Options.Name).Value;

    public double QueueAdds => Metrics.WorkQueueAdds.WithLabels(Options.Name).Value;

    public double QueueRetries => Metrics.WorkQueueRetries.WithLabels(Options.Name).Value;

    private static IEnumerable<ObjectKey> ReferencingWebhooks(IInformerCache<V1Alpha1Webhook> webhooks, V1Secret secret) =>
        webhooks.List(secret.Metadata.NamespaceProperty)
            .Where(webhook => webhook.Spec.Headers?.Any(header => header.ValueFrom?.SecretKeyRef?.Name == secret.Metadata.Name) == true)
            .Select(ObjectKey.From);
}

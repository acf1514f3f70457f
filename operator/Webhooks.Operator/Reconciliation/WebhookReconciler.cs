using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Resources;
using Webhooks.Operator.Status;
using Webhooks.Storage.Routes;

namespace Webhooks.Operator.Reconciliation;

/// <summary>
/// Makes the routing table match one Webhook. Re-reads the object, runs idempotent steps
/// (finalizer, secrets, route upsert), and writes status once, at the end, only when it changed.
/// Events mark transitions, not every pass.
/// </summary>
public sealed class WebhookReconciler(
    IResourceAccess access,
    RouteRepository routes,
    DeliveryStatusCache deliveries,
    IOptions<OperatorOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookReconciler> logger) : IReconciler
{
    public const string Finalizer = "auditlog.dev/route";
    public const string ControllerName = "webhook";

    public async Task<TimeSpan?> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var webhook = access.GetWebhook(key.Namespace, key.Name);
        if (webhook is null)
        {
            deliveries.Forget(key.Namespace, key.Name);
            return null;
        }

        if (webhook.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(webhook, cancellationToken);
            return null;
        }

        if (webhook.Metadata.Finalizers?.Contains(Finalizer) != true)
        {
            webhook = await access.SetFinalizersAsync(webhook, [.. webhook.Metadata.Finalizers ?? [], Finalizer], cancellationToken);
        }

        var before = KubernetesJson.Serialize(webhook.Status ?? new WebhookStatus());
        var status = KubernetesJson.Deserialize<WebhookStatus>(before);
        var conditions = status.Conditions ??= [];
        var previous = conditions.Select(c => (c.Type, c.Status, c.Reason)).ToList();
        DateTimeOffset? rotationEndsAt;
        try
        {
            rotationEndsAt = await ReconcileRouteAsync(webhook, status, cancellationToken);
        }
        finally
        {
            ApplyDeliveries(webhook, status);
            status.ObservedGeneration = webhook.Metadata.Generation;
            if (KubernetesJson.Serialize(status) != before)
            {
                await access.UpdateStatusAsync(webhook, status, cancellationToken);
            }

            await RecordTransitionsAsync(webhook, previous, conditions, cancellationToken);
        }

        // Come back when the previous signing key's overlap ends, to drop it from the route.
        return rotationEndsAt is { } end ? Max(end - timeProvider.GetUtcNow(), TimeSpan.FromSeconds(1)) : null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <returns>When a signing-key overlap in progress ends, if one is.</returns>
    private async Task<DateTimeOffset?> ReconcileRouteAsync(V1Alpha1Webhook webhook, WebhookStatus status, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var generation = webhook.Metadata.Generation ?? 1;
        var conditions = status.Conditions!;
        var generatedSigning = await EnsureSigningSecretAsync(webhook, status, cancellationToken);
        var (route, problem) = RouteResolver.Resolve(
            webhook, name => access.GetSecret(webhook.Metadata.NamespaceProperty, name), generatedSigning,
            options.Value.OrganizationsAllowedIn(webhook.Metadata.NamespaceProperty));
        if (problem is not null)
        {
            var secretProblem = problem.Reason is Conditions.Reasons.SecretNotFound or Conditions.Reasons.SecretKeyNotFound;
            Conditions.Set(conditions, Conditions.SecretsResolved, !secretProblem, secretProblem ? problem.Reason : Conditions.Reasons.Resolved,
                secretProblem ? problem.Message : "Every referenced Secret key was read", generation, now);
            var consequence = await routes.GetStateAsync(Guid.Parse(webhook.Metadata.Uid), cancellationToken) is null
                ? "No route exists yet, so nothing is delivered."
                : "The route keeps the last good configuration until this is fixed.";
            Conditions.Set(conditions, Conditions.Ready, false, problem.Reason, $"{problem.Message}. {consequence}", generation, now);
            return null;
        }

        Conditions.Set(conditions, Conditions.SecretsResolved, true, Conditions.Reasons.Resolved, "Every referenced Secret key was read", generation, now);
        var upsert = await routes.UpsertAsync(route!, options.Value.SigningKeyOverlap, cancellationToken);
        var state = (await routes.GetStateAsync(route!.Uid, cancellationToken))!;
        status.RouteRevision = state.Revision;
        status.Url = webhook.Spec.UrlFrom is null ? webhook.Spec.Url : null;
        var host = webhook.Spec.UrlFrom is null && Uri.TryCreate(route.Url, UriKind.Absolute, out var uri) ? uri.Authority : "the URL from the Secret";
        if (upsert.Changed)
        {
            Log.RouteWritten(logger, webhook.Metadata.NamespaceProperty, webhook.Metadata.Name, generation);
            await access.RecordEventAsync(webhook, EventTypes.Normal, "RouteUpdated",
                $"Route written at revision {state.Revision} (generation {generation}); deliveries go to {host}", cancellationToken);
        }

        if (state.DisabledAt is { } disabledAt)
        {
            Conditions.Set(conditions, Conditions.Ready, false, Conditions.Reasons.EndpointDisabled,
                $"Disabled at {disabledAt.UtcDateTime:u}: {state.DisabledReason}. Queued deliveries were recorded as failed. Fix the receiver, then change any field of the spec to re-enable it",
                generation, now);
        }
        else if (route.Suspended)
        {
            Conditions.Set(conditions, Conditions.Ready, false, Conditions.Reasons.Suspended,
                "Delivery is paused by spec.suspend; matching events are queued and sent when it is set to false", generation, now);
        }
        else
        {
            Conditions.Set(conditions, Conditions.Ready, true, Conditions.Reasons.RouteActive,
                route.Secure
                    ? $"Route active at revision {state.Revision}; deliveries go to {host}, signed"
                    : $"Route active at revision {state.Revision}; deliveries go to {host} in insecure mode: http allowed, requests not signed",
                generation, now);
        }

        return upsert.RotationEndsAt;
    }

    /// <summary>
    /// Secure mode without a signingSecretRef: the operator generates the signing secret once, as
    /// a Secret owned by the Webhook (deleted with it), and names it in status.
    /// </summary>
    private async Task<string?> EnsureSigningSecretAsync(V1Alpha1Webhook webhook, WebhookStatus status, CancellationToken cancellationToken)
    {
        if (webhook.Spec.SecureMode?.Enabled == false || webhook.Spec.SecureMode?.SigningSecretRef is not null)
        {
            status.SigningSecretName = null;
            return null;
        }

        var name = status.SigningSecretName ?? $"{webhook.Metadata.Name}-signing";
        var secret = access.GetSecret(webhook.Metadata.NamespaceProperty, name);
        if (secret is null)
        {
            var value = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
            secret = await access.CreateOwnedSecretAsync(webhook, name, new Dictionary<string, byte[]> { [RouteResolver.SigningSecretKey] = Encoding.UTF8.GetBytes(value) }, cancellationToken);
            await access.RecordEventAsync(webhook, EventTypes.Normal, "SigningSecretCreated",
                $"Generated signing secret {name} (key \"{RouteResolver.SigningSecretKey}\"); give it to the receiver to verify signatures", cancellationToken);
        }

        status.SigningSecretName = name;
        return secret.Data?.TryGetValue(RouteResolver.SigningSecretKey, out var bytes) == true ? Encoding.UTF8.GetString(bytes).Trim() : null;
    }

    private void ApplyDeliveries(V1Alpha1Webhook webhook, WebhookStatus status)
    {
        var observation = deliveries.Get(webhook.Metadata.NamespaceProperty, webhook.Metadata.Name);
        var now = timeProvider.GetUtcNow();
        var generation = webhook.Metadata.Generation ?? 1;
        if (observation is null)
        {
            // A new Webhook starts where the first delivery figures will put it (zero, nothing
            // attempted), so their arrival costs no status write. After a restart the figures
            // already in status stay until fresh ones are read.
            if (Conditions.Find(status.Conditions, Conditions.Delivering) is null)
            {
                status.Deliveries ??= new DeliveryCounts { Succeeded24h = 0, Failed24h = 0, Pending = 0 };
                Conditions.SetUnknown(status.Conditions!, Conditions.Delivering, Conditions.Reasons.NoDeliveries, "No delivery has been attempted yet", generation, now);
            }

            return;
        }

        status.LastDelivery = observation.LastDelivery;
        status.Deliveries = observation.Counts;
        var delivering = observation.Delivering;
        if (delivering.Status is { } healthy)
        {
            Conditions.Set(status.Conditions!, Conditions.Delivering, healthy, delivering.Reason, delivering.Message, generation, now);
        }
        else
        {
            Conditions.SetUnknown(status.Conditions!, Conditions.Delivering, delivering.Reason, delivering.Message, generation, now);
        }
    }

    private async Task RecordTransitionsAsync(V1Alpha1Webhook webhook, List<(string Type, string Status, string Reason)> previous, List<V1Condition> current, CancellationToken cancellationToken)
    {
        bool Changed(V1Condition condition) => !previous.Contains((condition.Type, condition.Status, condition.Reason));
        foreach (var condition in current.Where(Changed))
        {
            var (type, reason) = (condition.Type, condition.Reason) switch
            {
                // RouteUpdated is recorded where the route is written, for every write, not only transitions.
                (Conditions.Ready, Conditions.Reasons.RouteActive) => (string.Empty, string.Empty),
                (Conditions.Ready, Conditions.Reasons.Suspended) => (EventTypes.Normal, "Suspended"),
                (Conditions.Ready, Conditions.Reasons.EndpointDisabled) => (EventTypes.Warning, "EndpointDisabled"),
                (Conditions.Ready, var r) => (EventTypes.Warning, r),
                (Conditions.Delivering, Conditions.Reasons.DeliveryFailing) => (EventTypes.Warning, "DeliveryFailing"),
                (Conditions.Delivering, Conditions.Reasons.Healthy) when previous.Contains((Conditions.Delivering, "False", Conditions.Reasons.DeliveryFailing)) => (EventTypes.Normal, "DeliveryRecovered"),
                _ => (string.Empty, string.Empty),
            };
            if (reason.Length > 0)
            {
                await access.RecordEventAsync(webhook, type, reason, condition.Message, cancellationToken);
            }
        }

        var active = current.FirstOrDefault(c => c.Type == Conditions.Ready);
        if (active is { Reason: Conditions.Reasons.RouteActive } && Changed(active) && webhook.Spec.SecureMode?.Enabled == false)
        {
            await access.RecordEventAsync(webhook, EventTypes.Warning, Conditions.Reasons.InsecureMode,
                "Secure mode is off: http is allowed and requests are not signed; receivers cannot tell these requests from forged ones", cancellationToken);
        }
    }

    private async Task FinalizeAsync(V1Alpha1Webhook webhook, CancellationToken cancellationToken)
    {
        if (webhook.Metadata.Finalizers?.Contains(Finalizer) != true)
        {
            return;
        }

        if (await routes.DeleteAsync(Guid.Parse(webhook.Metadata.Uid), cancellationToken))
        {
            Log.RouteDeleted(logger, webhook.Metadata.NamespaceProperty, webhook.Metadata.Name);
        }

        deliveries.Forget(webhook.Metadata.NamespaceProperty, webhook.Metadata.Name);
        await access.SetFinalizersAsync(webhook, webhook.Metadata.Finalizers.Where(f => f != Finalizer).ToList(), cancellationToken);
    }
}

using System.Collections.Concurrent;

namespace Webhooks.Operator.Status;

/// <summary>The latest published <see cref="DeliveryObservation"/> per Webhook, read by the reconciler.</summary>
public sealed class DeliveryStatusCache
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), Published> _observations = new();

    public DeliveryObservation? Get(string @namespace, string name) => _observations.GetValueOrDefault((@namespace, name))?.Observation;

    public void Forget(string @namespace, string name) => _observations.TryRemove((@namespace, name), out _);

    /// <summary>
    /// Publishes <paramref name="observation"/> when it differs from the published one and the last
    /// publication is at least <paramref name="minInterval"/> old; returns whether it did, in which
    /// case the caller requeues the Webhook. This bounds status writes per Webhook.
    /// </summary>
    public bool TryPublish(string @namespace, string name, DeliveryObservation observation, DateTimeOffset now, TimeSpan minInterval)
    {
        var key = (@namespace, name);
        var current = _observations.GetValueOrDefault(key);
        if (current is not null && (Same(current.Observation, observation) || now - current.At < minInterval))
        {
            return false;
        }

        _observations[key] = new Published(observation, now);
        return true;
    }

    private static bool Same(DeliveryObservation a, DeliveryObservation b) =>
        a.Delivering == b.Delivering && a.DisabledReason == b.DisabledReason
        && a.Counts.Succeeded24h == b.Counts.Succeeded24h && a.Counts.Failed24h == b.Counts.Failed24h && a.Counts.Pending == b.Counts.Pending
        && a.LastDelivery?.EventId == b.LastDelivery?.EventId && a.LastDelivery?.Time == b.LastDelivery?.Time && a.LastDelivery?.Result == b.LastDelivery?.Result;

    private sealed record Published(DeliveryObservation Observation, DateTimeOffset At);
}

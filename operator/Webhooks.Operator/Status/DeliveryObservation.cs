using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Status;

/// <summary>
/// What the dispatcher's records say about one Webhook's deliveries, in status form: the
/// reconciler merges it into status, so status has a single writer.
/// </summary>
public sealed record DeliveryObservation(
    LastDelivery? LastDelivery,
    DeliveryCounts Counts,
    DeliveringState Delivering,
    string? DisabledReason);

/// <param name="Status">True (healthy), False (failing) or null (nothing delivered yet).</param>
public sealed record DeliveringState(bool? Status, string Reason, string Message);

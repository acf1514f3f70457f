using Webhooks.Storage.Events;

namespace Webhooks.Storage.Deliveries;

/// <summary>A delivery a worker has leased: <see cref="Attempt"/> is the number of this attempt and fences its result.</summary>
public sealed record ClaimedDelivery(long Id, Guid RouteUid, int Attempt, DateTimeOffset ReceivedAt, AuditRecord Record);

/// <summary>
/// How much one claim may take: <see cref="Total"/> rows, and per route what is left of
/// <see cref="PerRoute"/> after what the worker already holds for it (<see cref="HeldRoutes"/>,
/// <see cref="Held"/>). <see cref="Sending"/> is the route's concurrency cap: a delivery with that
/// many or more held ahead of it may wait for a slot, and its lease grows to cover the wait.
/// </summary>
public sealed record ClaimLimits(int Total, int PerRoute, int Sending, Guid[] HeldRoutes, int[] Held);

public enum AttemptOutcome
{
    Succeeded,
    Retrying,
    Failed,
}

/// <summary>Everything about one attempt, as recorded in delivery_attempts, plus what happens next.</summary>
public sealed record AttemptResult
{
    public required long DeliveryId { get; init; }
    public required Guid RouteUid { get; init; }
    public required string EventId { get; init; }
    public required int Attempt { get; init; }

    /// <summary>When the audit record was accepted: the start of the event-to-delivery latency.</summary>
    public required DateTimeOffset EventReceivedAt { get; init; }

    public required DateTimeOffset AttemptedAt { get; init; }
    public required TimeSpan Duration { get; init; }
    public required AttemptOutcome Outcome { get; init; }

    /// <summary>When <see cref="Outcome"/> is <see cref="AttemptOutcome.Retrying"/>: when to try again.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    public required string RequestUrl { get; init; }
    public string RequestMethod { get; init; } = "POST";

    /// <summary>JSON object of the headers sent, secret-sourced values already redacted.</summary>
    public required string RequestHeaders { get; init; }

    public required string RequestBody { get; init; }
    public int? ResponseStatus { get; init; }
    public string? ResponseHeaders { get; init; }
    public string? ResponseBody { get; init; }
    public string? ErrorClass { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>Set when the endpoint answered 410 Gone: the route is disabled with this reason.</summary>
    public string? DisableRouteReason { get; init; }
}

/// <summary>Delivery counts and the latest attempt of one route, for status reporting.</summary>
/// <param name="DisabledReason">Set while the dispatcher has disabled the route (410 Gone).</param>
public sealed record RouteDeliveryStats(
    Guid RouteUid, string Namespace, string Name, string? DisabledReason, long Succeeded, long Failed, long Pending, long Dead, DateTimeOffset? OldestPending, LatestAttempt? Latest);

public sealed record LatestAttempt(string EventId, DateTimeOffset AttemptedAt, AttemptOutcome Outcome, int? HttpStatus, int DurationMs, int Attempt, string? ErrorClass, string? ErrorMessage);

public sealed record RouteQueueStats(Guid RouteUid, long Pending, long Dead, DateTimeOffset? OldestPending);

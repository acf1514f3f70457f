using Microsoft.Extensions.Options;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Reconciliation;
using Webhooks.Operator.Resources;
using Webhooks.Storage.Deliveries;

namespace Webhooks.Operator.Status;

/// <summary>
/// Reads delivery outcomes from PostgreSQL on an interval, turns them into status form, and
/// requeues a Webhook only when its figures changed and its last status update from here is at
/// least <see cref="OperatorOptions.MinStatusInterval"/> old. The reconciler does the writing.
/// </summary>
public sealed class DeliveryStatusReporter(
    DeliveryRepository deliveries,
    DeliveryStatusCache cache,
    IOptions<OperatorOptions> options,
    TimeProvider timeProvider,
    ILogger<DeliveryStatusReporter> logger)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>One pass; <paramref name="requeue"/> receives the Webhooks whose status should change.</summary>
    public async Task ReportAsync(Action<ObjectKey> requeue, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var stats in await deliveries.GetStatsAsync(now - Window, cancellationToken))
        {
            if (cache.TryPublish(stats.Namespace, stats.Name, Observe(stats), now, options.Value.MinStatusInterval))
            {
                requeue(new ObjectKey(stats.Namespace, stats.Name));
            }
        }
    }

    public async Task RunAsync(Action<ObjectKey> requeue, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.StatusInterval, timeProvider);
        do
        {
            try
            {
                await ReportAsync(requeue, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Log.StatusReportFailed(logger, exception);
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    public static DeliveryObservation Observe(RouteDeliveryStats stats)
    {
        var counts = new DeliveryCounts { Succeeded24h = stats.Succeeded, Failed24h = stats.Failed, Pending = stats.Pending };
        var latest = stats.Latest;
        if (latest is null)
        {
            return new DeliveryObservation(null, counts, new DeliveringState(null, Conditions.Reasons.NoDeliveries, "No delivery has been attempted yet"), stats.DisabledReason);
        }

        var result = latest.Outcome switch
        {
            AttemptOutcome.Succeeded => "Succeeded",
            AttemptOutcome.Retrying => "Retrying",
            _ => "Failed",
        };
        var error = latest.Outcome == AttemptOutcome.Succeeded ? null : latest.ErrorMessage ?? latest.ErrorClass;
        var lastDelivery = new LastDelivery
        {
            EventId = latest.EventId,
            EventCategory = Storage.Routes.EventCategories.AuditLogCreation,
            Time = latest.AttemptedAt.UtcDateTime,
            Result = result,
            HttpStatus = latest.HttpStatus,
            DurationMs = latest.DurationMs,
            Attempts = latest.Attempt,
            Error = error,
        };
        var delivering = latest.Outcome == AttemptOutcome.Succeeded
            ? new DeliveringState(true, Conditions.Reasons.Healthy, $"Last delivery succeeded at {latest.AttemptedAt.UtcDateTime:u} (HTTP {latest.HttpStatus} in {latest.DurationMs} ms)")
            : new DeliveringState(false, Conditions.Reasons.DeliveryFailing,
                $"Delivery of {latest.EventId} failed at {latest.AttemptedAt.UtcDateTime:u} on attempt {latest.Attempt}: {Describe(latest)}. "
                + $"{stats.Pending} pending, {stats.Dead} failed for good. Check that the receiver is up and answers 2xx");
        return new DeliveryObservation(lastDelivery, counts, delivering, stats.DisabledReason);
    }

    private static string Describe(LatestAttempt attempt) =>
        attempt.HttpStatus is { } status ? $"HTTP {status}" : $"{attempt.ErrorClass}: {attempt.ErrorMessage}";

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

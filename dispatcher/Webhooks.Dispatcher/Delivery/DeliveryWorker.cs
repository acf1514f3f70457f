using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Notifications;
using Webhooks.Dispatcher.Routing;
using Webhooks.Storage.Deliveries;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// The delivery loop. It waits for a NOTIFY wake-up, a freed slot or a jittered poll, claims at
/// most as many due deliveries as it has free slots (committing the lease before any request
/// goes out), sends each under its endpoint's concurrency cap, and hands results to the
/// <see cref="AttemptRecorder"/>.
/// </summary>
internal sealed class DeliveryWorker(
    DeliveryRepository deliveries,
    RouteTable routeTable,
    WebhookSender sender,
    AttemptRecorder recorder,
    DispatcherSignals signals,
    IOptions<DeliveryOptions> options,
    TimeProvider timeProvider,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    private readonly EndpointLimiter _limiter = new(options.Value.PerEndpointConcurrency, options.Value.EffectiveBacklog);
    private readonly HashSet<Task> _inFlight = [];
    private int _inFlightCount;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        await routeTable.WaitUntilLoadedAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var free = settings.Concurrency - Volatile.Read(ref _inFlightCount);
            if (free <= 0)
            {
                await signals.DeliveriesReady.WaitAsync(settings.PollInterval, timeProvider, stoppingToken);
                continue;
            }

            var requested = Math.Min(free, settings.ClaimBatchSize);
            var claimStarted = timeProvider.GetTimestamp();
            IReadOnlyList<ClaimedDelivery> claimed;
            try
            {
                var now = timeProvider.GetUtcNow();
                var (routes, held) = _limiter.Holdings();
                var limits = new ClaimLimits(requested, _limiter.RouteBudget, settings.PerEndpointConcurrency, routes, held);
                claimed = await deliveries.ClaimAsync(limits, now, settings.LeaseMargin, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                failures++;
                Log.ClaimFailed(logger, exception);
                await Task.Delay(Backoff.ForFailure(failures, settings.PollInterval), timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            foreach (var delivery in claimed)
            {
                Interlocked.Increment(ref _inFlightCount);
                Track(DeliverAsync(delivery, _limiter.Reserve(delivery.RouteUid), stoppingToken));
            }

            // The cooldown is a plain delay, not a wait on the signal: every finished send sets the
            // signal, so waiting on it would start a claim per finished send (a commit for a row or two).
            var cooldown = settings.ClaimCooldown - timeProvider.GetElapsedTime(claimStarted);
            if (cooldown > TimeSpan.Zero)
            {
                await Task.Delay(cooldown, timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (claimed.Count < requested)
            {
                // Nothing more was due (or every route with due work is at its cap): wait for a
                // NOTIFY, a freed slot or the jittered poll.
                await signals.DeliveriesReady.WaitAsync(Jitter.Apply(settings.PollInterval), timeProvider, stoppingToken);
            }
        }

        // Sends already under way finish (each within its timeout) and their results are recorded.
        Task[] remaining;
        lock (_inFlight)
        {
            remaining = [.. _inFlight];
        }

        await Task.WhenAll(remaining).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        recorder.Complete();
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, EndpointLimiter.Reservation reservation, CancellationToken stoppingToken)
    {
        // Yield so the claim loop goes on while this send runs.
        await Task.Yield();
        try
        {
            using (reservation)
            {
                var route = routeTable.Find(delivery.RouteUid);
                if (route is null)
                {
                    await recorder.EnqueueAsync(RouteGone(delivery), CancellationToken.None);
                    return;
                }

                await reservation.EnterAsync(stoppingToken);
                var result = await sender.SendAsync(route.Definition, delivery, stoppingToken);
                await recorder.EnqueueAsync(result, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-send: the lease expires and another worker sends it again.
        }
        catch (Exception exception)
        {
            Log.DeliveryCrashed(logger, delivery.Id, exception);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlightCount);
            signals.DeliveriesReady.Set();
        }
    }

    private AttemptResult RouteGone(ClaimedDelivery delivery) => new()
    {
        DeliveryId = delivery.Id,
        RouteUid = delivery.RouteUid,
        EventId = delivery.Record.EventId,
        Attempt = delivery.Attempt,
        EventReceivedAt = delivery.ReceivedAt,
        AttemptedAt = timeProvider.GetUtcNow(),
        Duration = TimeSpan.Zero,
        Outcome = AttemptOutcome.Failed,
        RequestUrl = string.Empty,
        RequestHeaders = "{}",
        RequestBody = string.Empty,
        ErrorClass = ErrorClasses.RouteDeleted,
        ErrorMessage = "the webhook was deleted before this delivery was sent",
    };

    private void Track(Task task)
    {
        lock (_inFlight)
        {
            _inFlight.Add(task);
        }

        task.ContinueWith(
            t =>
            {
                lock (_inFlight)
                {
                    _inFlight.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}

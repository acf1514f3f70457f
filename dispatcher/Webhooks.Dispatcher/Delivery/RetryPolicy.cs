using System.Net;
using System.Net.Http.Headers;
using Webhooks.Storage.Deliveries;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Decides what follows an attempt. Pure: the clock and the randomness come in as arguments, so
/// the schedule is tested without waiting.
/// </summary>
public static class RetryPolicy
{
    /// <summary>Each delay is scaled by a factor in [0.8, 1.2].</summary>
    public const double JitterSpread = 0.2;

    public static bool IsSuccess(int status) => status is >= 200 and < 300;

    /// <summary>
    /// The outcome of attempt <paramref name="attempt"/> (1-based) and, when retrying, the next
    /// due time: <c>Retry-After</c> on 429/503 wins (capped at <paramref name="maxRetryAfter"/>),
    /// otherwise the route's schedule, its last step repeated when attempts outnumber steps.
    /// </summary>
    public static (AttemptOutcome Outcome, DateTimeOffset? NextAttemptAt) Decide(
        RouteDefinition route, int attempt, int? status, TimeSpan? retryAfter, DateTimeOffset now, TimeSpan maxRetryAfter, double random)
    {
        if (status is { } code && IsSuccess(code))
        {
            return (AttemptOutcome.Succeeded, null);
        }

        if (status == (int)HttpStatusCode.Gone || attempt >= route.MaxAttempts)
        {
            return (AttemptOutcome.Failed, null);
        }

        var delay = retryAfter is { } requested && status is 429 or 503
            ? (requested < maxRetryAfter ? requested : maxRetryAfter)
            : Jittered(ScheduledDelay(route.RetrySchedule ?? RouteDefaults.RetrySchedule, attempt), random);
        return (AttemptOutcome.Retrying, now + delay);
    }

    /// <summary>The delay after attempt <paramref name="attempt"/> (1-based), before jitter.</summary>
    public static TimeSpan ScheduledDelay(IReadOnlyList<TimeSpan> schedule, int attempt) =>
        schedule.Count == 0 ? TimeSpan.Zero : schedule[Math.Min(attempt, schedule.Count) - 1];

    /// <param name="random">Uniform in [0, 1).</param>
    public static TimeSpan Jittered(TimeSpan delay, double random) => delay * (1 + ((random * 2) - 1) * JitterSpread);

    /// <summary>Reads <c>Retry-After</c> as delta-seconds or an HTTP date; null when absent, malformed or past.</summary>
    public static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date && date > now)
        {
            return date - now;
        }

        return null;
    }
}

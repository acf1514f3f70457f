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
    /// A route the dispatcher refuses to send for (<see cref="ErrorClasses.InsecureUrl"/>,
    /// <see cref="ErrorClasses.SigningKey"/>) fails at once: retrying cannot help, and the dead
    /// letter is replayable once the Webhook is fixed. A <see cref="ErrorClasses.BlockedDestination"/>
    /// waits the schedule's longest step: an allow-list change or a DNS answer may still fix it,
    /// but an internal address is not worth knocking on often.
    /// </summary>
    public static (AttemptOutcome Outcome, DateTimeOffset? NextAttemptAt) Decide(
        RouteDefinition route, int attempt, int? status, TimeSpan? retryAfter, DateTimeOffset now, TimeSpan maxRetryAfter, double random, string? errorClass = null)
    {
        if (status is { } code && IsSuccess(code))
        {
            return (AttemptOutcome.Succeeded, null);
        }

        if (status == (int)HttpStatusCode.Gone || attempt >= route.MaxAttempts || errorClass is ErrorClasses.InsecureUrl or ErrorClasses.SigningKey)
        {
            return (AttemptOutcome.Failed, null);
        }

        var schedule = route.RetrySchedule ?? RouteDefaults.RetrySchedule;
        var delay = errorClass == ErrorClasses.BlockedDestination ? Jittered(LongestStep(schedule), random)
            : retryAfter is { } requested && status is 429 or 503 ? (requested < maxRetryAfter ? requested : maxRetryAfter)
            : Jittered(ScheduledDelay(schedule, attempt), random);
        return (AttemptOutcome.Retrying, now + delay);
    }

    public static TimeSpan LongestStep(IReadOnlyList<TimeSpan> schedule) => schedule.Count == 0 ? TimeSpan.Zero : schedule.Max();

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

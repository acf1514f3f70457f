namespace Webhooks.Operator.Controller;

/// <summary>The delay math shared by the work queue's retries and the informers' reconnects.</summary>
internal static class ExponentialBackoff
{
    /// <summary><paramref name="baseDelay"/> doubled per earlier attempt, capped at <paramref name="maxDelay"/>; attempt 1 waits the base.</summary>
    public static TimeSpan Delay(TimeSpan baseDelay, TimeSpan maxDelay, int attempt)
    {
        if (attempt <= 0)
        {
            return TimeSpan.Zero;
        }

        // Past 2^62 the double would overflow TimeSpan long before the cap applies.
        var factor = Math.Pow(2, Math.Min(attempt - 1, 62));
        var ticks = baseDelay.Ticks * factor;
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Spreads <paramref name="delay"/> over [delay/2, delay) with <paramref name="sample"/> in [0, 1),
    /// so replicas that lost the API server together do not reconnect together.
    /// </summary>
    public static TimeSpan Jitter(TimeSpan delay, double sample) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + (sample / 2))));
}

namespace Webhooks.Dispatcher.Notifications;

internal static class Jitter
{
    /// <summary>
    /// <paramref name="interval"/> scaled by a random factor in [1 - spread, 1 + spread], so that
    /// replicas started together do not poll in lockstep.
    /// </summary>
    public static TimeSpan Apply(TimeSpan interval, double spread = 0.2) =>
        interval * (1 + ((Random.Shared.NextDouble() * 2) - 1) * spread);
}

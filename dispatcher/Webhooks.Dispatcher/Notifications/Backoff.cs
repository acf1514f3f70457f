namespace Webhooks.Dispatcher.Notifications;

/// <summary>Back-off for the background loops when the database is unreachable.</summary>
internal static class Backoff
{
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    /// <summary>base × 2^(failures-1), capped at 30 s, jittered.</summary>
    public static TimeSpan ForFailure(int failures, TimeSpan baseDelay)
    {
        var exponential = baseDelay * Math.Pow(2, Math.Min(failures - 1, 10));
        return Jitter.Apply(exponential < Max ? exponential : Max);
    }
}

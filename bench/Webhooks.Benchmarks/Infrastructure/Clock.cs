namespace Webhooks.Benchmarks.Infrastructure;

/// <summary>
/// The one monotonic clock of the harness. The load generator and the receivers live in this
/// process, so a 202 and a receipt are stamped by the same clock and can be subtracted.
/// </summary>
public static class Clock
{
    private static readonly TimeProvider Time = TimeProvider.System;

    public static long Now => Time.GetTimestamp();

    public static DateTimeOffset UtcNow => Time.GetUtcNow();

    public static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Time.TimestampFrequency;

    public static double Seconds(long from, long to) => (to - from) / (double)Time.TimestampFrequency;

    public static long After(long from, TimeSpan span) => from + (long)(span.TotalSeconds * Time.TimestampFrequency);

    /// <summary>Waits until <paramref name="timestamp"/> (returns at once when it is past).</summary>
    public static async Task UntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var remaining = Milliseconds(Now, timestamp);
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(remaining), Time, cancellationToken);
        }
    }

    public static Task DelayAsync(TimeSpan span, CancellationToken cancellationToken) => Task.Delay(span, Time, cancellationToken);
}

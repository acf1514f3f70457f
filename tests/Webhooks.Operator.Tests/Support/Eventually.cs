namespace Webhooks.Operator.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes: how tests wait for background work, never a blind sleep.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > (timeout ?? DefaultTimeout))
            {
                Assert.Fail($"Timed out waiting until {because}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Reads until <paramref name="accept"/> holds (a read through the API, a query, a kubectl run) and returns that value.</summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> read, Func<T, bool> accept, string because, TimeSpan? timeout = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        T value;
        while (!accept(value = await read()))
        {
            if (TimeProvider.System.GetElapsedTime(started) > (timeout ?? DefaultTimeout * 2))
            {
                Assert.Fail($"Timed out waiting until {because}; last value: {value}");
            }

            await Task.Delay(100);
        }

        return value;
    }
}

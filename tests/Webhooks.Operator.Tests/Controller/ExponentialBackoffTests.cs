using Webhooks.Operator.Controller;

namespace Webhooks.Operator.Tests.Controller;

public sealed class ExponentialBackoffTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(5, 80)]
    [InlineData(7, 300)]
    [InlineData(10_000, 300)]
    public void Delay_DoublesFromTheBase_UpToTheCap(int attempt, int expectedMilliseconds)
    {
        var delay = ExponentialBackoff.Delay(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(300), attempt);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), delay);
    }

    [Theory]
    [InlineData(0.0, 500)]
    [InlineData(0.5, 750)]
    [InlineData(0.999, 999)]
    public void Jitter_SpreadsOverTheUpperHalf(double sample, int expectedMilliseconds)
    {
        var jittered = ExponentialBackoff.Jitter(TimeSpan.FromSeconds(1), sample);

        Assert.Equal(expectedMilliseconds, (int)jittered.TotalMilliseconds);
    }
}

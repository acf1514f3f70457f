using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Deliveries;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Tests.Delivery;

public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly RouteDefinition DefaultRoute = Samples.Route(new Uri("http://127.0.0.1/")) with { RetrySchedule = null };

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 300)]
    [InlineData(3, 1800)]
    [InlineData(4, 7200)]
    [InlineData(5, 18000)]
    [InlineData(6, 36000)]
    [InlineData(7, 36000)]
    public void DefaultSchedule_UnjitteredDelay_MatchesTheDesign(int attempt, int seconds)
    {
        var (outcome, next) = RetryPolicy.Decide(DefaultRoute, attempt, 500, null, Now, TimeSpan.FromHours(1), random: 0.5);

        Assert.Equal(AttemptOutcome.Retrying, outcome);
        Assert.Equal(Now + TimeSpan.FromSeconds(seconds), next);
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.999999, 1.2)]
    public void Jitter_StaysWithinTwentyPercent(double random, double factor)
    {
        var delay = RetryPolicy.Jittered(TimeSpan.FromMinutes(5), random);

        Assert.Equal(TimeSpan.FromMinutes(5).TotalSeconds * factor, delay.TotalSeconds, precision: 2);
    }

    [Fact]
    public void EighthFailure_ExhaustsTheDefaultRoute()
    {
        Assert.Equal(AttemptOutcome.Failed, RetryPolicy.Decide(DefaultRoute, 8, 500, null, Now, TimeSpan.FromHours(1), 0.5).Outcome);
    }

    [Fact]
    public void MoreAttemptsThanSteps_RepeatTheLastStep()
    {
        var route = DefaultRoute with { MaxAttempts = 20, RetrySchedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(7)] };

        Assert.Equal(Now + TimeSpan.FromSeconds(7), RetryPolicy.Decide(route, 12, null, null, Now, TimeSpan.FromHours(1), 0.5).NextAttemptAt);
    }

    [Theory]
    [InlineData(200, AttemptOutcome.Succeeded)]
    [InlineData(204, AttemptOutcome.Succeeded)]
    [InlineData(301, AttemptOutcome.Retrying)]
    [InlineData(404, AttemptOutcome.Retrying)]
    [InlineData(410, AttemptOutcome.Failed)]
    public void Status_DecidesTheOutcome(int status, AttemptOutcome expected)
    {
        Assert.Equal(expected, RetryPolicy.Decide(DefaultRoute, 1, status, null, Now, TimeSpan.FromHours(1), 0.5).Outcome);
    }

    [Fact]
    public void RetryAfter_OnlyCountsOn429And503()
    {
        var retryAfter = TimeSpan.FromMinutes(10);

        Assert.Equal(Now + retryAfter, RetryPolicy.Decide(DefaultRoute, 1, 429, retryAfter, Now, TimeSpan.FromHours(1), 0.5).NextAttemptAt);
        Assert.Equal(Now + TimeSpan.FromSeconds(5), RetryPolicy.Decide(DefaultRoute, 1, 500, retryAfter, Now, TimeSpan.FromHours(1), 0.5).NextAttemptAt);
    }

    [Fact]
    public void RetryAfter_HttpDate_IsRelativeToNow()
    {
        var header = new System.Net.Http.Headers.RetryConditionHeaderValue(Now.AddMinutes(3));

        Assert.Equal(TimeSpan.FromMinutes(3), RetryPolicy.ParseRetryAfter(header, Now));
        Assert.Null(RetryPolicy.ParseRetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(Now.AddMinutes(-3)), Now));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void BlockedDestination_WaitsTheScheduleLongestStep(int attempt)
    {
        var (outcome, next) = RetryPolicy.Decide(DefaultRoute, attempt, null, null, Now, TimeSpan.FromHours(1), 0.5, ErrorClasses.BlockedDestination);

        Assert.Equal(AttemptOutcome.Retrying, outcome);
        Assert.Equal(Now + TimeSpan.FromHours(10), next);
    }

    [Fact]
    public void BlockedDestination_LastAttempt_Fails() =>
        Assert.Equal(AttemptOutcome.Failed, RetryPolicy.Decide(DefaultRoute, 8, null, null, Now, TimeSpan.FromHours(1), 0.5, ErrorClasses.BlockedDestination).Outcome);

    [Theory]
    [InlineData(ErrorClasses.InsecureUrl)]
    [InlineData(ErrorClasses.SigningKey)]
    public void RefusedBeforeSending_FailsAtOnce(string errorClass) =>
        Assert.Equal((AttemptOutcome.Failed, (DateTimeOffset?)null), RetryPolicy.Decide(DefaultRoute, 1, null, null, Now, TimeSpan.FromHours(1), 0.5, errorClass));
}

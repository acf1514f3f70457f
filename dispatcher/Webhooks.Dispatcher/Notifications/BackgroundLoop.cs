using Polly;
using Polly.Retry;

namespace Webhooks.Dispatcher.Notifications;

/// <summary>
/// Runs a loop body until shutdown. A body that throws (the database went away, a failover) is
/// reported and run again after a jittered exponential back-off (Polly, capped at 30 s) instead
/// of ending the loop; a body that completes resets the back-off.
/// </summary>
internal static class BackgroundLoop
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(Func<CancellationToken, Task> body, Action<Exception> onFailure, TimeSpan baseDelay, TimeProvider timeProvider, CancellationToken stoppingToken)
    {
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => !stoppingToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay,
                MaxDelay = MaxDelay,
                OnRetry = arguments =>
                {
                    onFailure(arguments.Outcome.Exception!);
                    return default;
                },
            })
            .Build();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await pipeline.ExecuteAsync(async token => await body(token), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}

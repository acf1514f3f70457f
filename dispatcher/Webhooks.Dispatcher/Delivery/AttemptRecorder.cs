using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Notifications;
using Webhooks.Storage.Deliveries;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Writes attempt results in batches: whatever has queued up while the previous write ran, and
/// during the cooldown after it, goes in the next single transaction. A failed write is retried
/// with the same batch; results are only dropped when the process dies, and then the leases
/// expire and the deliveries are sent again.
/// </summary>
public sealed class AttemptRecorder(
    DeliveryRepository deliveries,
    Routing.RouteTable routes,
    IOptions<DeliveryOptions> options,
    TimeProvider timeProvider,
    ILogger<AttemptRecorder> logger) : BackgroundService
{
    // Bounded so a database outage pushes back on the senders instead of growing memory.
    private readonly Channel<AttemptResult> _results = Channel.CreateBounded<AttemptResult>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Raised after each committed batch; tests and metrics observe it.</summary>
    public event Action<IReadOnlyList<AttemptResult>>? Recorded;

    public ValueTask EnqueueAsync(AttemptResult result, CancellationToken cancellationToken) => _results.Writer.WriteAsync(result, cancellationToken);

    /// <summary>Called once the delivery worker has stopped sending: lets the loop drain and finish.</summary>
    public void Complete() => _results.Writer.TryComplete();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batchSize = options.Value.ResultBatchSize;
        var cooldown = options.Value.ResultCooldown;
        var batch = new List<AttemptResult>(batchSize);
        long? lastWrite = null;
        // Shutdown does not cancel the drain: results already in hand are written before exit.
        while (await _results.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // While busy, let results gather: a write per result or two would cost a commit (an fsync) each.
            var wait = lastWrite is { } last ? cooldown - timeProvider.GetElapsedTime(last) : TimeSpan.Zero;
            if (wait > TimeSpan.Zero && _results.Reader.Count < batchSize)
            {
                await Task.Delay(wait, timeProvider, CancellationToken.None);
            }

            while (batch.Count < batchSize && _results.Reader.TryRead(out var result))
            {
                batch.Add(result);
            }

            lastWrite = timeProvider.GetTimestamp();
            await WriteAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<AttemptResult> batch, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                await deliveries.RecordAsync(batch, timeProvider.GetUtcNow(), CancellationToken.None);
                Metrics.Record(batch, routes);
                Recorded?.Invoke(batch);
                return;
            }
            catch (Exception exception)
            {
                failures++;
                Log.RecordFailed(logger, batch.Count, exception);
                if (stoppingToken.IsCancellationRequested && failures >= 3)
                {
                    // Shutting down with the database away: the leases will expire and these
                    // deliveries go out again from another process, so nothing is lost.
                    Log.RecordAbandoned(logger, batch.Count);
                    return;
                }

                await Task.Delay(Backoff.ForFailure(failures, options.Value.PollInterval), timeProvider, CancellationToken.None);
            }
        }
    }
}

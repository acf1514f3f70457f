using Webhooks.Benchmarks.Infrastructure;
using Webhooks.Benchmarks.Load;
using Webhooks.Benchmarks.Reporting;

namespace Webhooks.Benchmarks.Phases;

/// <summary>
/// Latency at a fixed offered load, open loop: batch i is sent at its intended time t0 + i × interval
/// whether or not earlier batches have been answered, so a slow ingest or a stalled dispatcher
/// shows up in the figures instead of quietly lowering the load (no coordinated omission). The
/// records match only the first route. Each record's latency is measured from the 202 of its batch
/// (the ingest commit) and, separately, from the batch's intended send time.
/// </summary>
public static class LatencyPhase
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    public static async Task<LatencyResult> RunAsync(BenchContext context, int run, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var batchSize = options.LatencyBatchSize;
        var batches = Math.Max(1, (int)(options.LatencyRate * options.LatencyDuration.TotalSeconds / batchSize));
        var records = batches * batchSize;
        var interval = TimeSpan.FromSeconds((double)batchSize / options.LatencyRate);
        var runId = $"l{run}";
        var bodies = Enumerable.Range(0, batches)
            .Select(i => AuditRecords.Ndjson(runId, i * batchSize, batchSize, AuditRecords.LatencyOrganization)).ToArray();
        foreach (var receiver in context.Receivers)
        {
            receiver.Reset();
        }

        var intended = new long[batches];
        var started = new long[batches];
        var accepted = new long[batches];
        var sends = new Task[batches];
        var cpuStart = context.Cpu();
        var t0 = Clock.After(cpuStart.At, TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < batches; i++)
        {
            intended[i] = Clock.After(t0, interval * i);
            await Clock.UntilAsync(intended[i], cancellationToken);
            sends[i] = SendAsync(i);
        }

        async Task SendAsync(int i)
        {
            started[i] = Clock.Now;
            accepted[i] = await context.Ingest.PostAsync(bodies[i], cancellationToken);
        }

        await Task.WhenAll(sends);
        var target = context.Receivers[0];
        var drainDeadline = Clock.After(Clock.Now, DrainTimeout);
        while (target.FirstReceipt.Count < records && Clock.Now < drainDeadline)
        {
            await Clock.DelayAsync(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        var cores = context.Cpu().CoresSince(cpuStart);
        var fromCommit = new List<double>(records);
        var fromIntended = new List<double>(records);
        for (var i = 0; i < batches; i++)
        {
            for (var n = i * batchSize; n < (i + 1) * batchSize; n++)
            {
                if (target.FirstReceipt.TryGetValue(AuditRecords.EventId(runId, n), out var receivedAt))
                {
                    fromCommit.Add(Clock.Milliseconds(accepted[i], receivedAt));
                    fromIntended.Add(Clock.Milliseconds(intended[i], receivedAt));
                }
            }
        }

        // Results are written a few milliseconds after the receipt; let the last ones land.
        await Clock.DelayAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
        var (queued, sending) = await context.Database.AttemptTimingsAsync($"evt_{runId}-", cancellationToken);
        return new LatencyResult
        {
            Run = run,
            Records = records,
            Received = fromCommit.Count,
            OfferedPerSecond = options.LatencyRate,
            Seconds = Math.Round(Clock.Seconds(t0, intended[^1]) + interval.TotalSeconds, 1),
            IngestToReceiptMs = Percentiles.Of(fromCommit),
            IntendedToReceiptMs = Percentiles.Of(fromIntended),
            IngestAnswerMs = Percentiles.Of(Enumerable.Range(0, batches).Select(i => Clock.Milliseconds(intended[i], accepted[i])).ToList()),
            AcceptedToSendMs = Percentiles.Of(queued),
            AttemptMs = Percentiles.Of(sending),
            SendLagMs = Percentiles.Of(Enumerable.Range(0, batches).Select(i => Clock.Milliseconds(intended[i], started[i])).ToList()),
            DispatcherCpuCores = cores.Dispatcher,
            MachineBusyCores = cores.Machine,
        };
    }
}

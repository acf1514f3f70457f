using Webhooks.Benchmarks.Infrastructure;
using Webhooks.Benchmarks.Load;
using Webhooks.Benchmarks.Reporting;

namespace Webhooks.Benchmarks.Phases;

/// <summary>
/// Saturation: M records for all K routes are ingested as fast as the API accepts them (closed
/// loop, a few requests in flight) while the dispatcher fans out and delivers; the run ends when
/// every attempt is recorded and the deliveries queue is empty. Progress is read from the
/// database (the highest attempt id committed), so only durably recorded deliveries count.
/// </summary>
public static class ThroughputPhase
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<ThroughputResult> RunAsync(BenchContext context, int run, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var records = options.ThroughputRecords;
        var expected = (long)records * context.Receivers.Count;
        var runId = $"t{run}";
        foreach (var receiver in context.Receivers)
        {
            receiver.Reset();
        }

        var baseId = await context.Database.MaxAttemptIdAsync(cancellationToken);
        var cpuStart = context.Cpu();
        var start = cpuStart.At;
        var deadline = Clock.After(start, options.ThroughputDeadline);
        using var stopIngest = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var nextBatch = -1;
        long lastAccepted = start;
        async Task ProduceAsync()
        {
            while (true)
            {
                var first = Interlocked.Increment(ref nextBatch) * options.IngestBatchSize;
                if (first >= records)
                {
                    return;
                }

                var body = AuditRecords.Ndjson(runId, first, Math.Min(options.IngestBatchSize, records - first), AuditRecords.ThroughputOrganization);
                var acceptedAt = await context.Ingest.PostAsync(body, stopIngest.Token);
                InterlockedMax(ref lastAccepted, acceptedAt);
            }
        }

        var ingest = Task.WhenAll(Enumerable.Range(0, options.IngestConcurrency).Select(_ => Task.Run(ProduceAsync, stopIngest.Token)));
        var samples = new List<(double Seconds, long Recorded)> { (0, 0) };
        var complete = false;
        long end;
        while (true)
        {
            await Clock.DelayAsync(SampleInterval, cancellationToken);
            if (ingest.IsFaulted)
            {
                await ingest;
            }

            var recorded = await context.Database.MaxAttemptIdAsync(cancellationToken) - baseId;
            end = Clock.Now;
            samples.Add((Clock.Seconds(start, end), recorded));
            if (recorded >= expected
                && await context.Database.AttemptsAfterAsync(baseId, cancellationToken) >= expected
                && await context.Database.QueuedDeliveriesAsync(cancellationToken) == 0)
            {
                complete = true;
                break;
            }

            if (end > deadline)
            {
                await stopIngest.CancelAsync();
                break;
            }
        }

        await ingest.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var cores = context.Cpu().CoresSince(cpuStart);
        var (sustained, window) = SteadyRate(samples, expected);
        var elapsed = Clock.Seconds(start, end);
        return new ThroughputResult
        {
            Run = run,
            Deliveries = expected,
            Complete = complete,
            SustainedPerSecond = Math.Round(sustained),
            WindowSeconds = Math.Round(window, 1),
            OverallPerSecond = Math.Round(samples[^1].Recorded / elapsed),
            ElapsedSeconds = Math.Round(elapsed, 1),
            IngestPerSecond = Math.Round(records / Math.Max(Clock.Seconds(start, Interlocked.Read(ref lastAccepted)), 1e-9)),
            Duplicates = context.Receivers.Sum(r => r.Duplicates),
            UnsuccessfulAttempts = await context.Database.UnsuccessfulAttemptsAfterAsync(baseId, cancellationToken),
            DispatcherCpuCores = cores.Dispatcher,
            PostgresCpuCores = cores.Postgres,
            HarnessCpuCores = cores.Harness,
            MachineBusyCores = cores.Machine,
            Progress = samples.Where((_, i) => i % 4 == 0 || i == samples.Count - 1).Select(s => new[] { Math.Round(s.Seconds, 1), s.Recorded }).ToList(),
        };
    }

    /// <summary>The rate between the moments 10 % and 90 % of <paramref name="total"/> were recorded, and that window's length.</summary>
    public static (double Rate, double Window) SteadyRate(IReadOnlyList<(double Seconds, long Recorded)> samples, long total)
    {
        var low = TimeAt(samples, total * 0.1);
        var high = TimeAt(samples, total * 0.9);
        return low is { } from && high is { } to && to > from ? (total * 0.8 / (to - from), to - from) : (0, 0);
    }

    private static double? TimeAt(IReadOnlyList<(double Seconds, long Recorded)> samples, double target)
    {
        for (var i = 1; i < samples.Count; i++)
        {
            if (samples[i].Recorded >= target)
            {
                var (t0, r0) = samples[i - 1];
                var (t1, r1) = samples[i];
                return r1 == r0 ? t1 : t0 + ((target - r0) / (r1 - r0) * (t1 - t0));
            }
        }

        return null;
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Interlocked.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

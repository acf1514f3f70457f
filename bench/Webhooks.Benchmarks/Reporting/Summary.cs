using System.Globalization;
using System.Text;

namespace Webhooks.Benchmarks.Reporting;

/// <summary>The headline figures beside the machine's limits and the targets, as JSON lines and as a console table.</summary>
public static class Summary
{
    public const double ThroughputTarget = 5_000;
    public const double P99TargetMs = 50;
    public const double CommitsTarget = 0.05;
    public const double MemoryTargetMiB = 300;

    /// <summary>
    /// Throughput is the median of the runs; latency, commits and memory take the worst run, so a
    /// target counts as met only when every run met it.
    /// </summary>
    public static IReadOnlyList<SummaryLine> Build(IReadOnlyList<ThroughputResult> throughput, IReadOnlyList<LatencyResult> latency, double peakMiB, IReadOnlyList<LimitResult> limits)
    {
        var http = Median(limits.Where(l => l.Name == "http").Select(l => l.PerSecond));
        var postgres = Median(limits.Where(l => l.Name == "postgres").Select(l => l.PerSecond));
        var rate = Median(throughput.Select(t => t.SustainedPerSecond));
        var p50 = latency.Max(l => l.IngestToReceiptMs.P50);
        var p99 = latency.Max(l => l.IngestToReceiptMs.P99);
        var max = latency.Max(l => l.IngestToReceiptMs.Max);
        var intendedP99 = latency.Max(l => l.IntendedToReceiptMs.P99);
        var commits = throughput.Max(t => t.CommitsPerDelivery);
        var complete = throughput.All(t => t.Complete);
        return
        [
            new("deliveries/s sustained (median)", "1/s", rate, "raw HTTP, same receivers", http, Ratio(rate, http), $">= {ThroughputTarget:0}", complete && rate >= ThroughputTarget),
            new("deliveries/s sustained (median)", "1/s", rate, "raw PostgreSQL attempt rows", postgres, Ratio(rate, postgres), $">= {ThroughputTarget:0}", complete && rate >= ThroughputTarget),
            new("ingest->receipt p50 @1000/s (worst run)", "ms", p50, null, null, null, "", true),
            new("ingest->receipt p99 @1000/s (worst run)", "ms", p99, null, null, null, $"<= {P99TargetMs:0}", p99 <= P99TargetMs && latency.All(l => l.Received == l.Records)),
            new("ingest->receipt max @1000/s (worst run)", "ms", max, null, null, null, "", true),
            new("intended send->receipt p99 (worst run)", "ms", intendedP99, null, null, null, "", true),
            new("commits per delivery (worst run)", "", commits, null, null, null, $"<= {CommitsTarget}", commits <= CommitsTarget),
            new("dispatcher peak RSS (VmHWM)", "MiB", peakMiB, null, null, null, $"<= {MemoryTargetMiB:0}", peakMiB <= MemoryTargetMiB),
        ];
    }

    public static string Table(IReadOnlyList<SummaryLine> lines)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"figure",-42} {"ours",12} {"limit",34} {"ratio",7}  {"target",10} {"met",4}");
        text.AppendLine(new string('-', 115));
        foreach (var line in lines)
        {
            var limit = line.LimitValue is { } value ? $"{line.Limit} {Format(value)}" : "";
            var ratio = line.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "";
            var met = line.Target.Length == 0 ? "" : line.Met ? "yes" : "NO";
            text.AppendLine(CultureInfo.InvariantCulture, $"{line.Figure,-42} {Format(line.Ours) + (line.Unit is "ms" or "MiB" ? " " + line.Unit : ""),12} {limit,34} {ratio,7}  {line.Target,10} {met,4}");
        }

        return text.ToString();
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double? Ratio(double ours, double limit) => limit > 0 ? Math.Round(ours / limit, 3) : null;

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.0#", CultureInfo.InvariantCulture),
        _ => value.ToString("0.000#", CultureInfo.InvariantCulture),
    };
}

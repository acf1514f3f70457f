using System.Text.Json.Serialization;
using Webhooks.Benchmarks.Infrastructure;

namespace Webhooks.Benchmarks.Reporting;

public sealed record MachineInfo(
    int Cores,
    [property: JsonPropertyName("memory_gib")] double MemoryGiB,
    string Cpu,
    string Kernel,
    string Runtime,
    [property: JsonPropertyName("postgresql")] string PostgreSql,
    string LoadAverageAtStart,
    string LoadAverageAtEnd);

/// <summary>One throughput run: M records × K routes ingested as fast as the API takes them, drained to the last recorded attempt.</summary>
public sealed record ThroughputResult
{
    public required int Run { get; init; }
    public required long Deliveries { get; init; }

    /// <summary>Every attempt recorded and the deliveries queue empty before the deadline.</summary>
    public required bool Complete { get; init; }

    /// <summary>Recorded attempts per second between 10 % and 90 % of the run (steady state, ramp-up and tail left out).</summary>
    public required double SustainedPerSecond { get; init; }
    public required double WindowSeconds { get; init; }

    /// <summary>Deliveries over the whole run, first ingest request to last attempt recorded.</summary>
    public required double OverallPerSecond { get; init; }
    public required double ElapsedSeconds { get; init; }
    public required double IngestPerSecond { get; init; }
    public long Commits { get; init; }
    public double CommitsPerDelivery { get; init; }
    public long WriteTransactions { get; init; }
    public double WriteTransactionsPerDelivery { get; init; }
    public required long Duplicates { get; init; }
    public required long UnsuccessfulAttempts { get; init; }
    public required double DispatcherCpuCores { get; init; }
    public required double PostgresCpuCores { get; init; }
    public required double HarnessCpuCores { get; init; }
    public required double MachineBusyCores { get; init; }

    /// <summary>Attempts recorded so far, once a second: [seconds since start, count]. Shows stalls the averages hide.</summary>
    public required IReadOnlyList<double[]> Progress { get; init; }
}

/// <summary>One open-loop latency run at a fixed rate against one route.</summary>
public sealed record LatencyResult
{
    public required int Run { get; init; }
    public required int Records { get; init; }
    public required int Received { get; init; }
    public required double OfferedPerSecond { get; init; }
    public required double Seconds { get; init; }

    /// <summary>From the 202 of the record's batch (its ingest commit) to its receipt.</summary>
    public required Percentiles IngestToReceiptMs { get; init; }

    /// <summary>From the batch's intended send time to receipt: ingest included, free of coordinated omission.</summary>
    public required Percentiles IntendedToReceiptMs { get; init; }

    /// <summary>From the batch's intended send time to its 202.</summary>
    public required Percentiles IngestAnswerMs { get; init; }

    /// <summary>The dispatcher's own clock: from accepting a record to starting its send (fan-out, claim, endpoint slot).</summary>
    public required Percentiles AcceptedToSendMs { get; init; }

    /// <summary>The dispatcher's own clock: the attempt, request sent to response read.</summary>
    public required Percentiles AttemptMs { get; init; }

    /// <summary>How late the generator actually sent, behind the schedule.</summary>
    public required Percentiles SendLagMs { get; init; }
    public required double DispatcherCpuCores { get; init; }
    public required double MachineBusyCores { get; init; }
}

/// <summary>A raw rate this machine allows without the dispatcher: the ceiling our figures are held against.</summary>
public sealed record LimitResult(string Name, int Run, long Operations, double Seconds, double PerSecond, int Concurrency, string Method, double MachineBusyCores);

/// <summary>One line of the summary table: our figure, the limit it compares with, the target.</summary>
public sealed record SummaryLine(string Figure, string Unit, double Ours, string? Limit, double? LimitValue, double? Ratio, string Target, bool Met);

public sealed record BenchReport
{
    public required DateTimeOffset GeneratedAt { get; init; }
    public required string Mode { get; init; }
    public required string Commit { get; init; }
    public required MachineInfo Machine { get; init; }
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    public required IReadOnlyList<ThroughputResult> Throughput { get; init; }
    public required IReadOnlyList<LatencyResult> Latency { get; init; }
    public required MemoryReading DispatcherMemory { get; init; }
    public required IReadOnlyList<LimitResult> Limits { get; init; }
    public required IReadOnlyList<SummaryLine> Summary { get; init; }
    public required int DispatcherWarnings { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }

    [JsonIgnore]
    public bool Complete => Throughput.All(t => t.Complete) && Latency.All(l => l.Received == l.Records);
}

[JsonSerializable(typeof(BenchReport))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
internal sealed partial class ReportJson : JsonSerializerContext;

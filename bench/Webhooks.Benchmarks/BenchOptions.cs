using System.Globalization;

namespace Webhooks.Benchmarks;

/// <summary>
/// What one benchmark run does. The full run takes a few minutes; <c>--quick</c> is a smoke run
/// under a minute whose figures only show that every phase works.
/// </summary>
public sealed record BenchOptions
{
    /// <summary>Webhooks (routes) every throughput record fans out to. Default 4.</summary>
    public int Routes { get; init; } = 4;

    /// <summary>Audit records ingested per throughput run; deliveries are this × <see cref="Routes"/>. Default 150,000 (quick 5,000).</summary>
    public int ThroughputRecords { get; init; } = 150_000;

    /// <summary>Records per ingest request (NDJSON). Default 500.</summary>
    public int IngestBatchSize { get; init; } = 500;

    /// <summary>Ingest requests in flight during the throughput run. Default 2.</summary>
    public int IngestConcurrency { get; init; } = 2;

    /// <summary>A throughput run that has not recorded every delivery by then is reported incomplete. Default 8 min (quick 60 s).</summary>
    public TimeSpan ThroughputDeadline { get; init; } = TimeSpan.FromMinutes(8);

    /// <summary>Open-loop ingest rate of the latency run, records per second. Default 1,000.</summary>
    public int LatencyRate { get; init; } = 1_000;

    /// <summary>Records per ingest request in the latency run. Default 100 (one request every 100 ms at 1,000/s).</summary>
    public int LatencyBatchSize { get; init; } = 100;

    /// <summary>How long the latency run offers load. Default 30 s (quick 8 s).</summary>
    public TimeSpan LatencyDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long each raw-limit loop (HTTP, PostgreSQL) runs. Default 10 s (quick 4 s).</summary>
    public TimeSpan LimitDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Idle time before each commit-counter reading: PostgreSQL flushes a busy backend's statistics
    /// at most once a second and an idle one's within 10 s. Default 11 s (quick 4 s, approximate).
    /// </summary>
    public TimeSpan StatsSettle { get; init; } = TimeSpan.FromSeconds(11);

    /// <summary>How many times each measurement runs. Default 2 (quick 1).</summary>
    public int Repetitions { get; init; } = 2;

    /// <summary>Records sent to every route before measuring, so JIT, pools and connections are warm. Default 2,000 (quick 500).</summary>
    public int WarmupRecords { get; init; } = 2_000;

    /// <summary>Extra dispatcher configuration (<c>--set Delivery__ClaimBatchSize=500</c>), for tuning experiments.</summary>
    public IReadOnlyDictionary<string, string> DispatcherSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Appended to the dispatcher's connection string (<c>--connection "Maximum Pool Size=20"</c>), for tuning experiments.</summary>
    public string ConnectionOptions { get; init; } = string.Empty;

    public bool Quick { get; init; }

    /// <summary>Where the JSON report goes, relative to the repository root.</summary>
    public string OutputPath { get; init; } = "bench/results/latest.json";

    public static BenchOptions Quickly => new()
    {
        Quick = true,
        ThroughputRecords = 5_000,
        ThroughputDeadline = TimeSpan.FromSeconds(60),
        LatencyDuration = TimeSpan.FromSeconds(8),
        LimitDuration = TimeSpan.FromSeconds(4),
        StatsSettle = TimeSpan.FromSeconds(4),
        Repetitions = 1,
        WarmupRecords = 500,
        OutputPath = "bench/results/quick.json.tmp",
    };

    public const string Usage = """
        usage: Webhooks.Benchmarks [--quick] [--records N] [--routes K] [--repeat N] [--latency-seconds S]
                                   [--limit-seconds S] [--output PATH] [--set Section__Key=value ...]
                                   [--connection "Npgsql option=value;..."]
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = args.Contains("--quick") ? Quickly : new BenchOptions();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--quick" => options,
                "--records" => options with { ThroughputRecords = NextInt() },
                "--routes" => options with { Routes = NextInt() },
                "--repeat" => options with { Repetitions = NextInt() },
                "--latency-seconds" => options with { LatencyDuration = TimeSpan.FromSeconds(NextInt()) },
                "--limit-seconds" => options with { LimitDuration = TimeSpan.FromSeconds(NextInt()) },
                "--output" => options with { OutputPath = Next() },
                "--connection" => options with { ConnectionOptions = Next() },
                "--set" => AddSetting(options, settings, Next()),
                _ => throw new ArgumentException($"unknown argument {args[i]}\n{Usage}"),
            };
        }

        if (options.Routes < 1 || options.ThroughputRecords < options.IngestBatchSize || options.Repetitions < 1)
        {
            throw new ArgumentException($"need at least one route, one repetition and {options.IngestBatchSize} records\n{Usage}");
        }

        return options with { DispatcherSettings = settings };
    }

    private static BenchOptions AddSetting(BenchOptions options, Dictionary<string, string> settings, string assignment)
    {
        var separator = assignment.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new ArgumentException($"--set expects Section__Key=value, got '{assignment}'");
        }

        settings[assignment[..separator]] = assignment[(separator + 1)..];
        return options;
    }
}

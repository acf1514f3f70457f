using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Benchmarks.Infrastructure;
using Webhooks.Benchmarks.Limits;
using Webhooks.Benchmarks.Load;
using Webhooks.Benchmarks.Phases;
using Webhooks.Benchmarks.Reporting;
using Webhooks.Storage.Database;
using Webhooks.Storage.Routes;
using Webhooks.Storage.Security;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.Benchmarks;

/// <summary>
/// One benchmark run, start to finish: a durable throwaway PostgreSQL, K receivers, K routes, the
/// dispatcher as its own process; warm-up; the latency runs; then, per repetition, the
/// PostgreSQL limit, a throughput run and the HTTP limit (the limits double as the idle time
/// PostgreSQL's statistics need before the commit counter is read); then the report.
/// </summary>
public static class BenchmarkRun
{
    /// <summary>Durable on purpose: every attempt must survive a crash, so the figures include the fsyncs.</summary>
    private static readonly Dictionary<string, string> PostgresSettings = new()
    {
        ["fsync"] = "on",
        ["synchronous_commit"] = "on",
        ["full_page_writes"] = "on",
    };

    public static async Task<BenchReport> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var loadAtStart = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"webhooks benchmark ({(options.Quick ? "quick" : "full")}): {options.Routes} routes, {options.ThroughputRecords:N0} records per throughput run, {options.Repetitions} repetition(s); load average {loadAtStart}");

        await using var cluster = await PostgresCluster.StartAsync(PostgresSettings, cancellationToken);
        var connectionString = await cluster.CreateDatabaseAsync(cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(cancellationToken);
        var database = new BenchDatabase(dataSource);

        var receivers = new List<Receiver>();
        try
        {
            for (var i = 0; i < options.Routes; i++)
            {
                receivers.Add(await Receiver.StartAsync(cancellationToken));
            }

            var key = SecretCipher.GenerateKey();
            await CreateRoutesAsync(dataSource, key, receivers, cancellationToken);
            var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
            var environment = DispatcherEnvironment(connectionString, key, token, options);
            var logPath = Path.Combine(root, "bench", "results", "dispatcher.log.tmp");
            await using var dispatcher = await DispatcherProcess.StartAsync(environment, logPath, cancellationToken);
            using var ingest = new IngestClient(dispatcher.BaseAddress, token);
            var context = new BenchContext(options, dispatcher, database, receivers, ingest, await database.PostmasterPidAsync(cancellationToken));
            Console.WriteLine($"dispatcher pid {dispatcher.Pid} at {dispatcher.BaseAddress}; its log: {Path.GetRelativePath(root, logPath)}");

            await WarmUpAsync(context, cancellationToken);

            // Latency first: 1,000 records/s is a steady state, measured before the saturation runs
            // leave checkpoints and autovacuum work behind them.
            var latency = new List<LatencyResult>();
            for (var run = 1; run <= options.Repetitions; run++)
            {
                latency.Add(Print(await LatencyPhase.RunAsync(context, run, cancellationToken)));
            }

            var perEndpoint = int.Parse(options.DispatcherSettings.GetValueOrDefault("Delivery__PerEndpointConcurrency", "8"), CultureInfo.InvariantCulture);
            var limits = new List<LimitResult>();
            var throughput = new List<ThroughputResult>();
            for (var run = 1; run <= options.Repetitions; run++)
            {
                var settleStart = Clock.Now;
                limits.Add(Print(await PostgresLimit.RunAsync(cluster, options.LimitDuration, run, cancellationToken)));
                await Clock.UntilAsync(Clock.After(settleStart, options.StatsSettle), cancellationToken);
                var (commits, transactions, own) = (await database.CommitsAsync(cancellationToken), await database.NextTransactionIdAsync(cancellationToken), database.OwnCommits);

                var result = await ThroughputPhase.RunAsync(context, run, cancellationToken);

                settleStart = Clock.Now;
                limits.Add(Print(await HttpLimit.RunAsync(receivers, perEndpoint, options.LimitDuration, run, cancellationToken)));
                await Clock.UntilAsync(Clock.After(settleStart, options.StatsSettle), cancellationToken);
                var transactionsAfter = await database.NextTransactionIdAsync(cancellationToken);
                var commitsAfter = await database.CommitsAsync(cancellationToken);
                var dispatcherCommits = commitsAfter - commits - (database.OwnCommits - own);
                throughput.Add(Print(result with
                {
                    Commits = dispatcherCommits,
                    CommitsPerDelivery = Math.Round(dispatcherCommits / (double)result.Deliveries, 4),
                    WriteTransactions = transactionsAfter - transactions,
                    WriteTransactionsPerDelivery = Math.Round((transactionsAfter - transactions) / (double)result.Deliveries, 4),
                }));
            }

            var memory = dispatcher.ReadMemory();
            var summary = Summary.Build(throughput, latency, Math.Round(memory.PeakMiB, 1), limits);
            var report = new BenchReport
            {
                GeneratedAt = Clock.UtcNow,
                Mode = options.Quick ? "quick" : "full",
                Commit = await GitDescribeAsync(root),
                Machine = await MachineAsync(database, loadAtStart, cancellationToken),
                Settings = Settings(options),
                Throughput = throughput,
                Latency = latency,
                DispatcherMemory = memory with { PeakMiB = Math.Round(memory.PeakMiB, 1), CurrentMiB = Math.Round(memory.CurrentMiB, 1) },
                Limits = limits,
                Summary = summary,
                DispatcherWarnings = dispatcher.Warnings,
                Notes = Notes(options, throughput),
            };

            Console.WriteLine();
            Console.Write(Summary.Table(summary));
            Console.WriteLine($"dispatcher peak RSS {memory.PeakMiB:0.0} MiB (now {memory.CurrentMiB:0.0} MiB); {dispatcher.Warnings} warning line(s) in its log");
            var output = Path.Combine(root, options.OutputPath);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllTextAsync(output, JsonSerializer.Serialize(report, ReportJson.Default.BenchReport) + "\n", cancellationToken);
            Console.WriteLine($"written {Path.GetRelativePath(root, output)}");
            return report;
        }
        finally
        {
            foreach (var receiver in receivers)
            {
                await receiver.DisposeAsync();
            }
        }
    }

    /// <summary>Route 0 takes every record; the others only throughput records (by organization), so the latency run has one route.</summary>
    private static async Task CreateRoutesAsync(NpgsqlDataSource dataSource, string key, IReadOnlyList<Receiver> receivers, CancellationToken cancellationToken)
    {
        var cipher = new SecretCipher(Options.Create(new EncryptionOptions { Keys = { ["bench"] = key }, ActiveKeyId = "bench" }));
        var routes = new RouteRepository(dataSource, cipher, TimeProvider.System);
        for (var i = 0; i < receivers.Count; i++)
        {
            await routes.UpsertAsync(new RouteDefinition
            {
                Uid = Guid.NewGuid(),
                Namespace = "bench",
                Name = $"receiver-{i}",
                Generation = 1,
                DisplayName = $"Bench receiver {i}",
                Url = receivers[i].Url("/hook").ToString(),
                Secure = false,
                Headers = [new RouteHeader("Test", "Webhook")],
                FilterOrganizations = i == 0 ? [] : [AuditRecords.ThroughputOrganization],
            }, cancellationToken);
        }
    }

    private static Dictionary<string, string> DispatcherEnvironment(string connectionString, string key, string token, BenchOptions options)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Database__ConnectionString"] = options.ConnectionOptions.Length == 0 ? connectionString : $"{connectionString};{options.ConnectionOptions}",
            ["Ingest__Tokens__0"] = token,
            ["Ingest__TokensPath"] = string.Empty,
            ["Encryption__Keys__bench"] = key,
            ["Encryption__ActiveKeyId"] = "bench",
            ["Encryption__KeysPath"] = string.Empty,
            // The SSRF guard (when present) blocks loopback destinations unless allowed.
            ["Delivery__AllowedCidrs__0"] = "127.0.0.0/8",
        };
        foreach (var (name, value) in options.DispatcherSettings)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>A few hundred records to every route and back, so nothing measured pays for JIT or first connections.</summary>
    private static async Task WarmUpAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var records = context.Options.WarmupRecords;
        var baseId = await context.Database.MaxAttemptIdAsync(cancellationToken);
        for (var first = 0; first < records; first += 100)
        {
            await context.Ingest.PostAsync(AuditRecords.Ndjson("warm", first, Math.Min(100, records - first), AuditRecords.ThroughputOrganization), cancellationToken);
        }

        var deadline = Clock.After(Clock.Now, TimeSpan.FromSeconds(60));
        while (await context.Database.AttemptsAfterAsync(baseId, cancellationToken) < (long)records * context.Receivers.Count
               || await context.Database.QueuedDeliveriesAsync(cancellationToken) > 0)
        {
            if (Clock.Now > deadline)
            {
                throw new TimeoutException("warm-up deliveries were not all recorded within 60 s; see the dispatcher log");
            }

            await Clock.DelayAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        Console.WriteLine($"warm-up: {records:N0} records x {context.Receivers.Count} routes delivered");
    }

    private static T Print<T>(T result)
    {
        Console.WriteLine(result switch
        {
            ThroughputResult t => $"throughput #{t.Run}: {t.SustainedPerSecond:N0}/s sustained over {t.WindowSeconds} s, {t.OverallPerSecond:N0}/s overall ({t.Deliveries:N0} deliveries in {t.ElapsedSeconds} s, complete={t.Complete}); ingest {t.IngestPerSecond:N0} records/s; "
                + $"{t.CommitsPerDelivery} commits/delivery ({t.WriteTransactionsPerDelivery} write txns); cores: dispatcher {t.DispatcherCpuCores}, postgres {t.PostgresCpuCores}, harness {t.HarnessCpuCores}, machine {t.MachineBusyCores}; dups {t.Duplicates}, unsuccessful {t.UnsuccessfulAttempts}",
            LatencyResult l => $"latency #{l.Run}: {l.Received:N0}/{l.Records:N0} received at {l.OfferedPerSecond:N0}/s; ingest->receipt p50 {l.IngestToReceiptMs.P50} p90 {l.IngestToReceiptMs.P90} p99 {l.IngestToReceiptMs.P99} max {l.IngestToReceiptMs.Max} ms; "
                + $"intended->receipt p50 {l.IntendedToReceiptMs.P50} p99 {l.IntendedToReceiptMs.P99} max {l.IntendedToReceiptMs.Max} ms; 202 p99 {l.IngestAnswerMs.P99} ms; dispatcher accepted->send p50 {l.AcceptedToSendMs.P50} p99 {l.AcceptedToSendMs.P99} ms, attempt p99 {l.AttemptMs.P99} ms; send lag p99 {l.SendLagMs.P99} ms; dispatcher {l.DispatcherCpuCores} cores",
            LimitResult l => $"limit {l.Name} #{l.Run}: {l.PerSecond:N0}/s ({l.Operations:N0} in {l.Seconds} s; {l.Method}); machine {l.MachineBusyCores} cores busy",
            _ => result?.ToString(),
        });
        return result;
    }

    private static IReadOnlyDictionary<string, string> Settings(BenchOptions options)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["routes"] = options.Routes.ToString(CultureInfo.InvariantCulture),
            ["throughput_records"] = options.ThroughputRecords.ToString(CultureInfo.InvariantCulture),
            ["ingest_batch_size"] = options.IngestBatchSize.ToString(CultureInfo.InvariantCulture),
            ["ingest_concurrency"] = options.IngestConcurrency.ToString(CultureInfo.InvariantCulture),
            ["latency_rate"] = options.LatencyRate.ToString(CultureInfo.InvariantCulture),
            ["latency_batch_size"] = options.LatencyBatchSize.ToString(CultureInfo.InvariantCulture),
            ["latency_seconds"] = options.LatencyDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["limit_seconds"] = options.LimitDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["stats_settle_seconds"] = options.StatsSettle.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["repetitions"] = options.Repetitions.ToString(CultureInfo.InvariantCulture),
            ["postgres"] = string.Join(", ", PostgresSettings.Select(s => $"{s.Key}={s.Value}")) + ", shared_buffers=128MB, max_connections=300",
        };
        foreach (var (name, value) in options.DispatcherSettings)
        {
            settings[$"dispatcher {name}"] = value;
        }

        if (options.ConnectionOptions.Length > 0)
        {
            settings["dispatcher connection options"] = options.ConnectionOptions;
        }

        return settings;
    }

    private static List<string> Notes(BenchOptions options, IReadOnlyList<ThroughputResult> throughput)
    {
        var notes = new List<string>
        {
            "Everything shares one machine: PostgreSQL, the dispatcher, the receivers and the load generator (this harness), and whatever else runs on it; machine_busy_cores shows the total.",
            "Latency is measured from the 202 of a record's batch (the ingest commit) to its receipt; intended_to_receipt is from the scheduled send time (open loop, no coordinated omission).",
            "commits_per_delivery is the xact_commit delta of the dispatcher's database over the run and its settle time, less the harness's own queries; write_transactions counts transaction ids taken (WAL commit records).",
        };
        if (throughput.Any(t => t.WindowSeconds < 30))
        {
            notes.Add("A throughput run's 10-90 % window was under 30 s: run with more --records for a sustained figure.");
        }

        if (options.Quick)
        {
            notes.Add("Quick mode: small runs and a short statistics settle time; the figures only show that every phase works.");
        }

        return notes;
    }

    private static async Task<MachineInfo> MachineAsync(BenchDatabase database, string loadAtStart, CancellationToken cancellationToken)
    {
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = long.Parse(memory["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        return new MachineInfo(Environment.ProcessorCount, Math.Round(kib / 1024.0 / 1024.0, 1), cpu, File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            RuntimeInformation.FrameworkDescription, await database.ServerVersionAsync(cancellationToken), loadAtStart, File.ReadAllText("/proc/loadavg").Trim());
    }

    private static async Task<string> GitDescribeAsync(string root)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", root, "describe", "--always", "--dirty"]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var git = Process.Start(start)!;
            var output = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    /// <summary>The directory holding Webhooks.sln, from the working directory up.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Webhooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository (make bench).");
    }
}

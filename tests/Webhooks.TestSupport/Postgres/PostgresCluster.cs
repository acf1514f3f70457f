using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Webhooks.TestSupport.Postgres;

/// <summary>
/// A real PostgreSQL for tests and local runs. Uses <c>WEBHOOKS_TEST_DATABASE</c> (an admin
/// connection string) when set; otherwise starts a throwaway cluster with the machine's
/// <c>initdb</c>/<c>pg_ctl</c> on a free loopback port (fsync on, as in production) and removes it
/// on dispose. As root it runs the server as the <c>postgres</c> user, which PostgreSQL requires.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    public const string DatabaseVariable = "WEBHOOKS_TEST_DATABASE";
    private static readonly Lazy<Task<PostgresCluster>> SharedCluster = new(() => StartAsync());
    private readonly string? _dataDirectory;
    private readonly string? _runAs;
    private int _databases;

    private PostgresCluster(string adminConnectionString, string? dataDirectory, string? runAs)
    {
        AdminConnectionString = adminConnectionString;
        _dataDirectory = dataDirectory;
        _runAs = runAs;
    }

    public string AdminConnectionString { get; }

    /// <summary>One cluster per test process, stopped when the process exits.</summary>
    public static Task<PostgresCluster> Shared => SharedCluster.Value;

    public static async Task<PostgresCluster> StartAsync(IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(DatabaseVariable) is { Length: > 0 } external)
        {
            return new PostgresCluster(external, null, null);
        }

        var binDirectory = FindBinDirectory();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"webhooks-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        if (runAs is not null)
        {
            await RunAsync("chown", ["-R", $"{runAs}:{runAs}", dataDirectory], null, cancellationToken);
        }

        var port = FreePort();
        var data = Path.Combine(dataDirectory, "data");
        await RunAsync(Path.Combine(binDirectory, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"], runAs, cancellationToken);
        var options = new List<string>
        {
            $"-p {port}", "-c listen_addresses=127.0.0.1", $"-k {dataDirectory}", "-c fsync=on", "-c max_connections=300",
            "-c shared_buffers=128MB",
        };
        options.AddRange((settings ?? new Dictionary<string, string>()).Select(s => $"-c {s.Key}={s.Value}"));
        await RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", data, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", "60", "-o", string.Join(' ', options), "start"], runAs, cancellationToken);
        await StartReaperAsync(binDirectory, dataDirectory, runAs, cancellationToken);
        return new PostgresCluster($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false", dataDirectory, runAs);
    }

    /// <summary>A fresh, empty database: tests isolate themselves by database, since the schema name is fixed.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"webhooks_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..48];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        if (_dataDirectory is null || !Directory.Exists(_dataDirectory))
        {
            return;
        }

        try
        {
            RunAsync(Path.Combine(FindBinDirectory(), "pg_ctl"), ["-D", Path.Combine(_dataDirectory, "data"), "-m", "immediate", "-w", "stop"], _runAs, CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// A detached shell that outlives this process and, once it is gone (test host killed, Ctrl-C,
    /// crash), stops the server and deletes its directory: no cluster is ever left behind.
    /// </summary>
    private static Task StartReaperAsync(string binDirectory, string dataDirectory, string? runAs, CancellationToken cancellationToken)
    {
        var stop = $"{(runAs is null ? "" : $"runuser -u {runAs} -- ")}'{Path.Combine(binDirectory, "pg_ctl")}' -D '{Path.Combine(dataDirectory, "data")}' -m immediate -w stop";
        var watch = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{dataDirectory}'";
        return RunAsync("bash", ["-c", $"setsid bash -c \"{watch}\" </dev/null >/dev/null 2>&1 &"], null, cancellationToken);
    }

    private static string FindBinDirectory()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        if (onPath is not null)
        {
            return onPath;
        }

        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException($"No initdb found on PATH or under /usr/lib/postgresql; install PostgreSQL or set {DatabaseVariable}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, string? runAs, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(runAs is null ? fileName : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAs is not null)
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(runAs);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}

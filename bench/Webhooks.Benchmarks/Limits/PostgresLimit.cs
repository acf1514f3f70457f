using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Webhooks.Benchmarks.Infrastructure;
using Webhooks.Benchmarks.Load;
using Webhooks.Benchmarks.Reporting;
using Webhooks.Storage.Database;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.Benchmarks.Limits;

/// <summary>
/// The PostgreSQL ceiling: rows shaped like the dispatcher's attempt records, binary COPY into
/// the real delivery_attempts table (same partitions and indexes) of a separate database on the
/// same durable cluster, one transaction per batch, a writer per core. Nothing else: no queue
/// table, no events. Bounded by time and by count.
/// </summary>
public static class PostgresLimit
{
    public const int BatchSize = 500;
    private const long MaxRows = 50_000_000;

    private const string CopySql = """
        copy auditlog.delivery_attempts (delivery_id, event_id, route_uid, attempt, attempted_at, duration_ms, outcome,
            request_url, request_method, request_headers, request_body, response_status, response_headers, response_body,
            error_class, error_message) from stdin (format binary)
        """;

    public static async Task<LimitResult> RunAsync(PostgresCluster cluster, TimeSpan duration, int run, CancellationToken cancellationToken)
    {
        var connectionString = await cluster.CreateDatabaseAsync(cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(cancellationToken);

        var writers = Environment.ProcessorCount;
        var body = System.Text.Encoding.UTF8.GetString(AuditRecords.WirePayload("evt_raw-00000000"));
        const string requestHeaders = """{"Content-Type":"application/json","User-Agent":"Kondukto-Webhook/1.0","X-KONDUKTO-ORG-ID":"646f1e0c2a9b4d0012345678","Test":"Webhook"}""";
        const string responseHeaders = """{"Date":"Thu, 04 Dec 2025 16:50:00 GMT","Server":"Kestrel","Content-Length":"0"}""";
        var route = Guid.NewGuid();
        long rows = 0;
        long nextId = 0;
        var machineStart = CpuMeter.MachineBusySeconds();
        var start = Clock.Now;
        var stop = Clock.After(start, duration);
        async Task WriteAsync()
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            while (Clock.Now < stop && Interlocked.Read(ref rows) < MaxRows)
            {
                await using (var importer = await connection.BeginBinaryImportAsync(CopySql, cancellationToken))
                {
                    var now = Clock.UtcNow;
                    for (var i = 0; i < BatchSize; i++)
                    {
                        var id = Interlocked.Increment(ref nextId);
                        await importer.StartRowAsync(cancellationToken);
                        await importer.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
                        await importer.WriteAsync(AuditRecords.EventId("raw", (int)id), NpgsqlDbType.Text, cancellationToken);
                        await importer.WriteAsync(route, NpgsqlDbType.Uuid, cancellationToken);
                        await importer.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
                        await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                        await importer.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
                        await importer.WriteAsync("succeeded", NpgsqlDbType.Text, cancellationToken);
                        await importer.WriteAsync("http://127.0.0.1:9090/hook", NpgsqlDbType.Text, cancellationToken);
                        await importer.WriteAsync("POST", NpgsqlDbType.Text, cancellationToken);
                        await importer.WriteAsync(requestHeaders, NpgsqlDbType.Jsonb, cancellationToken);
                        await importer.WriteAsync(body, NpgsqlDbType.Text, cancellationToken);
                        await importer.WriteAsync(200, NpgsqlDbType.Integer, cancellationToken);
                        await importer.WriteAsync(responseHeaders, NpgsqlDbType.Jsonb, cancellationToken);
                        await importer.WriteAsync(string.Empty, NpgsqlDbType.Text, cancellationToken);
                        await importer.WriteNullAsync(cancellationToken);
                        await importer.WriteNullAsync(cancellationToken);
                    }

                    await importer.CompleteAsync(cancellationToken);
                }

                Interlocked.Add(ref rows, BatchSize);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync, cancellationToken)));
        var seconds = Clock.Seconds(start, Clock.Now);
        return new LimitResult("postgres", run, rows, Math.Round(seconds, 1), Math.Round(rows / seconds), writers,
            $"binary COPY of attempt-shaped rows into delivery_attempts, {BatchSize} rows per transaction, {writers} writers, separate database",
            Math.Round((CpuMeter.MachineBusySeconds() - machineStart) / seconds, 2));
    }
}

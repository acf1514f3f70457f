using Npgsql;

namespace Webhooks.Benchmarks.Infrastructure;

/// <summary>
/// The harness's own queries against the dispatcher's database. Each runs as one autocommit
/// statement, so each adds one to <c>xact_commit</c>: <see cref="OwnCommits"/> counts them, and
/// the commits-per-delivery figure leaves them out.
/// </summary>
public sealed class BenchDatabase(NpgsqlDataSource dataSource)
{
    private long _ownCommits;

    public long OwnCommits => Interlocked.Read(ref _ownCommits);

    /// <summary>Committed transactions of this database so far, as PostgreSQL's statistics have them (flushed up to 10 s late).</summary>
    public Task<long> CommitsAsync(CancellationToken cancellationToken) =>
        ScalarAsync("select xact_commit from pg_stat_database where datname = current_database()", cancellationToken);

    /// <summary>
    /// The next transaction id of the cluster, without taking one: the difference between two
    /// readings is the number of write transactions (each a WAL commit record) in between.
    /// </summary>
    public Task<long> NextTransactionIdAsync(CancellationToken cancellationToken) =>
        ScalarAsync("select pg_snapshot_xmax(pg_current_snapshot())::text::bigint", cancellationToken);

    /// <summary>Highest delivery_attempts id committed: a cheap progress probe (an index scan per partition).</summary>
    public Task<long> MaxAttemptIdAsync(CancellationToken cancellationToken) =>
        ScalarAsync("select coalesce(max(id), 0) from auditlog.delivery_attempts", cancellationToken);

    public Task<long> AttemptsAfterAsync(long id, CancellationToken cancellationToken) =>
        ScalarAsync($"select count(*) from auditlog.delivery_attempts where id > {id}", cancellationToken);

    public Task<long> UnsuccessfulAttemptsAfterAsync(long id, CancellationToken cancellationToken) =>
        ScalarAsync($"select count(*) from auditlog.delivery_attempts where id > {id} and outcome <> 'succeeded'", cancellationToken);

    public Task<long> QueuedDeliveriesAsync(CancellationToken cancellationToken) =>
        ScalarAsync("select count(*) from auditlog.deliveries", cancellationToken);

    /// <summary>
    /// For each attempt of the events whose id starts with <paramref name="eventIdPrefix"/>: the
    /// milliseconds from ingest (events.received_at) to the send starting (attempted_at), and the
    /// attempt's own duration. Both are the dispatcher's clock, so they split its share of latency.
    /// </summary>
    public async Task<(List<double> Queued, List<double> Sending)> AttemptTimingsAsync(string eventIdPrefix, CancellationToken cancellationToken)
    {
        const string sql = """
            select (extract(epoch from a.attempted_at - e.received_at) * 1000)::float8, a.duration_ms
            from auditlog.delivery_attempts a join auditlog.events e on e.event_id = a.event_id
            where a.event_id like $1
            """;
        Interlocked.Increment(ref _ownCommits);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = eventIdPrefix + "%" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var (queued, sending) = (new List<double>(), new List<double>());
        while (await reader.ReadAsync(cancellationToken))
        {
            queued.Add(reader.GetDouble(0));
            sending.Add(reader.GetInt32(1));
        }

        return (queued, sending);
    }

    /// <summary>The pid of the postmaster: the parent of this connection's backend.</summary>
    public async Task<int> PostmasterPidAsync(CancellationToken cancellationToken) =>
        CpuMeter.ParentOf((int)await ScalarAsync("select pg_backend_pid()::bigint", cancellationToken));

    public async Task<string> ServerVersionAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _ownCommits);
        await using var command = dataSource.CreateCommand("select version()");
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _ownCommits);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}

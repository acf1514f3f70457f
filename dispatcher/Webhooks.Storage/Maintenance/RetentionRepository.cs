using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Webhooks.Storage.Maintenance;

/// <summary>
/// Expiry that stays off the delivery path: attempt partitions are detached concurrently and
/// dropped, and old rows go in small batches so no lock is held for long.
/// </summary>
public sealed class RetentionRepository(NpgsqlDataSource dataSource, ILogger<RetentionRepository> logger)
{
    private const int DeleteBatchSize = 1000;

    /// <summary>Creates the daily attempt partitions from yesterday to <paramref name="daysAhead"/> days ahead.</summary>
    public async Task EnsurePartitionsAsync(DateTimeOffset now, int daysAhead, CancellationToken cancellationToken)
    {
        const string sql = "select auditlog.ensure_attempt_partitions($1, $2)";
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1) });
        command.Parameters.Add(new() { Value = daysAhead + 2 });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Detaches and drops attempt partitions whose whole day is older than <paramref name="cutoff"/>.</summary>
    public async Task<IReadOnlyList<string>> DropExpiredPartitionsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        const string listSql = """
            select c.relname from pg_inherits i
            join pg_class c on c.oid = i.inhrelid
            join pg_class p on p.oid = i.inhparent
            join pg_namespace n on n.oid = p.relnamespace
            where n.nspname = 'auditlog' and p.relname = 'delivery_attempts'
            """;

        var expired = new List<string>();
        await using (var command = dataSource.CreateCommand(listSql))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                if (DateOnly.TryParseExact(name["delivery_attempts_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                    && day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) <= cutoff.UtcDateTime)
                {
                    expired.Add(name);
                }
            }
        }

        foreach (var partition in expired)
        {
            // CONCURRENTLY takes only a SHARE UPDATE EXCLUSIVE lock on the parent, so attempt
            // inserts carry on while the partition is detached. It cannot run in a transaction block.
            await using (var detach = dataSource.CreateCommand($"alter table auditlog.delivery_attempts detach partition auditlog.\"{partition}\" concurrently"))
            {
                await detach.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var drop = dataSource.CreateCommand($"drop table auditlog.\"{partition}\""))
            {
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }

            Log.PartitionDropped(logger, partition);
        }

        return expired;
    }

    /// <summary>
    /// Deletes failed deliveries and fanned-out events older than <paramref name="cutoff"/>, in
    /// batches; an event that still has a pending delivery is kept however old.
    /// </summary>
    public async Task<(long Events, long Deliveries)> SweepAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        const string deliveriesSql = """
            delete from auditlog.deliveries where id in (
                select id from auditlog.deliveries where state = 'failed' and updated_at < $1 limit $2)
            """;
        const string eventsSql = """
            delete from auditlog.events where id in (
                select e.id from auditlog.events e
                where e.received_at < $1 and e.fanned_out_at is not null
                  and not exists (select 1 from auditlog.deliveries d where d.event_pk = e.id)
                limit $2)
            """;

        var deliveries = await DeleteInBatchesAsync(deliveriesSql, cutoff, cancellationToken);
        var events = await DeleteInBatchesAsync(eventsSql, cutoff, cancellationToken);
        if (deliveries + events > 0)
        {
            Log.RetentionSwept(logger, events, deliveries, cutoff);
        }

        return (events, deliveries);
    }

    private async Task<long> DeleteInBatchesAsync(string sql, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.Add(new() { Value = cutoff });
            command.Parameters.Add(new() { Value = DeleteBatchSize });
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < DeleteBatchSize)
            {
                return total;
            }
        }
    }
}

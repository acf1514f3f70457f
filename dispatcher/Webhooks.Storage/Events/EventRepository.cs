using Npgsql;
using Webhooks.Storage.Routes;

namespace Webhooks.Storage.Events;

/// <summary>The events table: accepted audit records and their fan-out into deliveries.</summary>
public sealed class EventRepository(NpgsqlDataSource dataSource, RouteRepository routes)
{
    /// <summary>
    /// Inserts the records in one statement and commits; a record whose event_id is already stored
    /// is skipped (idempotent ingest). Returns the ids that were new.
    /// </summary>
    public async Task<IReadOnlySet<string>> InsertAsync(IReadOnlyList<AuditRecord> records, string source, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        const string sql = """
            insert into auditlog.events (event_id, organization_id, occurred_at, data_category, data_name, data_date,
                                         description, actor_ip, actor_user_agent, actor_username, source, received_at)
            select r.*, $11, $12
            from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) as r
            on conflict on constraint events_event_id_key do nothing
            returning event_id
            """;
        const string notifySql = "select pg_notify('auditlog_events', '')";

        var insert = new NpgsqlBatchCommand(sql);
        AddColumn(insert, records, r => r.EventId);
        AddColumn(insert, records, r => r.OrganizationId);
        AddColumn(insert, records, r => r.OccurredAt);
        AddColumn(insert, records, r => r.Data.EventCategory);
        AddColumn(insert, records, r => r.Data.EventName);
        AddColumn(insert, records, r => r.Data.Date);
        AddColumn(insert, records, r => r.Data.Description);
        AddColumn(insert, records, r => r.Data.Actor.Ip);
        AddColumn(insert, records, r => r.Data.Actor.UserAgent);
        AddColumn(insert, records, r => r.Data.Actor.Username);
        insert.Parameters.Add(new() { Value = source });
        insert.Parameters.Add(new() { Value = receivedAt });

        // Both statements run before one Sync: a single implicit transaction, a single commit.
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(notifySql));
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add(reader.GetString(0));
        }

        return inserted;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> events awaiting fan-out (skipping those another
    /// replica holds), lets <paramref name="match"/> pick routes against the routing table read in
    /// the same transaction, and writes the deliveries and the fanned-out mark in one commit.
    /// </summary>
    public async Task<FanOutResult> FanOutAsync(int limit, Func<RouteTableSnapshot, IReadOnlyList<PendingEvent>, IReadOnlyList<NewDelivery>> match,
        Func<long, RouteTableSnapshot?> cachedSnapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string claimSql = """
            select id, event_id, organization_id, data_category, data_name, source
            from auditlog.events where fanned_out_at is null
            order by id limit $1
            for update skip locked
            """;
        const string revisionSql = "select revision from auditlog.route_table";
        const string insertSql = """
            insert into auditlog.deliveries (event_pk, route_uid, state, next_attempt_at, created_at, last_error, updated_at)
            select d.event_pk, d.route_uid, d.state, $4, $4, d.last_error, $4
            from unnest($1::bigint[], $2::uuid[], $3::text[], $5::text[]) as d(event_pk, route_uid, state, last_error)
            """;
        const string markSql = "update auditlog.events set fanned_out_at = $2 where id = any($1)";
        const string notifySql = "select pg_notify('auditlog_deliveries', '')";

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var events = new List<PendingEvent>();
        long revision;
        await using (var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { new(claimSql) { Parameters = { new() { Value = limit } } }, new(revisionSql) },
        })
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(new PendingEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
            }

            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            revision = reader.GetInt64(0);
        }

        if (events.Count == 0)
        {
            return new FanOutResult([], 0, null);
        }

        // The routing table is re-read inside this transaction when the cached copy is behind, so
        // a route committed before these events were claimed is never missed.
        var snapshot = cachedSnapshot(revision);
        var reloaded = snapshot is null;
        snapshot ??= await routes.LoadAllAsync(connection, transaction, cancellationToken);
        var deliveries = match(snapshot, events);

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            if (deliveries.Count > 0)
            {
                batch.BatchCommands.Add(new(insertSql)
                {
                    Parameters =
                    {
                        new() { Value = deliveries.Select(d => d.EventPk).ToArray() },
                        new() { Value = deliveries.Select(d => d.RouteUid).ToArray() },
                        new() { Value = deliveries.Select(d => d.FailedReason is null ? "pending" : "failed").ToArray() },
                        new() { Value = now },
                        new() { Value = deliveries.Select(d => d.FailedReason).ToArray() },
                    },
                });
                batch.BatchCommands.Add(new(notifySql));
            }

            batch.BatchCommands.Add(new(markSql) { Parameters = { new() { Value = events.Select(e => e.Id).ToArray() }, new() { Value = now } } });
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new FanOutResult(events, deliveries.Count, reloaded ? snapshot : null);
    }

    private static void AddColumn(NpgsqlBatchCommand command, IReadOnlyList<AuditRecord> records, Func<AuditRecord, string> column)
    {
        var values = new string[records.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column(records[i]);
        }

        command.Parameters.Add(new() { Value = values });
    }
}

/// <summary>What fan-out needs of an event to match it against routes.</summary>
public sealed record PendingEvent(long Id, string EventId, string OrganizationId, string DataCategory, string DataName, string Source);

/// <summary>A delivery to create; <see cref="FailedReason"/> set records it failed at once (route disabled).</summary>
public sealed record NewDelivery(long EventPk, Guid RouteUid, string? FailedReason = null);

/// <param name="ReloadedTable">The routing table read during fan-out when the cached copy was behind.</param>
public sealed record FanOutResult(IReadOnlyList<PendingEvent> Events, int Deliveries, RouteTableSnapshot? ReloadedTable);

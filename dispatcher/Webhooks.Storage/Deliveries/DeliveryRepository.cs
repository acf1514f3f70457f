using Npgsql;
using NpgsqlTypes;
using Webhooks.Storage.Events;
using Webhooks.Storage.Routes;

namespace Webhooks.Storage.Deliveries;

/// <summary>The deliveries queue and its append-only attempt log.</summary>
public sealed class DeliveryRepository(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Leases up to <see cref="ClaimLimits.Total"/> due deliveries, for each route at most what
    /// <paramref name="limits"/> leaves it, skipping suspended and disabled routes and rows other
    /// workers hold. Each route's rows are read in due order from its own index range, so a claim
    /// costs the same however long the queue is. The lease is the due time pushed out by the
    /// route's timeout for the request, one more for every <see cref="ClaimLimits.Sending"/>
    /// deliveries that may be ahead of it for a slot (at least one), plus
    /// <paramref name="leaseMargin"/>: if this worker dies, the rows fall due again on their own.
    /// Commits before returning.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(ClaimLimits limits, DateTimeOffset now, TimeSpan leaseMargin, CancellationToken cancellationToken)
    {
        // deepest: the most deliveries of the route in hand after this claim, less one; whichever
        // order they reach the route's slots in, none waits behind more than that.
        const string sql = """
            with held as (
                select * from unnest($2::uuid[], $6::int[]) as h(route_uid, held)
            ), candidates as (
                select c.id, c.next_attempt_at, r.timeout_ms, coalesce(h.held, 0) + count(*) over (partition by r.uid) - 1 as deepest
                from auditlog.routes r
                left join held h on h.route_uid = r.uid
                cross join lateral (
                    select d.id, d.next_attempt_at
                    from auditlog.deliveries d
                    where d.route_uid = r.uid and d.state = 'pending' and d.next_attempt_at <= $1
                    order by d.next_attempt_at
                    limit greatest($4 - coalesce(h.held, 0), 0)
                    for update skip locked
                ) c
                where not r.suspended and r.disabled_at is null
            ), picked as (
                select id, timeout_ms, deepest from candidates order by next_attempt_at limit $3
            )
            update auditlog.deliveries d
            set next_attempt_at = $1 + $5 + (1 + greatest(1, picked.deepest / $7)) * picked.timeout_ms * interval '1 millisecond',
                attempts = d.attempts + 1, updated_at = $1
            from picked, auditlog.events e
            where d.id = picked.id and e.id = d.event_pk
            returning d.id, d.route_uid, d.attempts, e.received_at, e.event_id, e.organization_id, e.occurred_at,
                      e.actor_ip, e.actor_user_agent, e.actor_username, e.data_date, e.description, e.data_category, e.data_name
            """;

        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = limits.HeldRoutes });
        command.Parameters.Add(new() { Value = limits.Total });
        command.Parameters.Add(new() { Value = limits.PerRoute });
        command.Parameters.Add(new() { Value = leaseMargin });
        command.Parameters.Add(new() { Value = limits.Held });
        command.Parameters.Add(new() { Value = limits.Sending });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var claimed = new List<ClaimedDelivery>(limits.Total);
        while (await reader.ReadAsync(cancellationToken))
        {
            var record = new AuditRecord(
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                new AuditData(new AuditActor(reader.GetString(7), reader.GetString(8), reader.GetString(9)), reader.GetString(10), reader.GetString(11), reader.GetString(12), reader.GetString(13)));
            claimed.Add(new ClaimedDelivery(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3), record));
        }

        return claimed;
    }

    /// <summary>
    /// Records a batch of attempts and applies their outcomes in one transaction: succeeded rows
    /// leave the queue, retrying rows get their next due time, exhausted rows become failed, and
    /// 410 answers disable their route. Outcomes only apply while the row still carries the
    /// attempt number that produced them, so a result arriving after its lease was reclaimed is
    /// logged but cannot overwrite the newer attempt.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<AttemptResult> results, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string insertAttemptsSql = """
            insert into auditlog.delivery_attempts (delivery_id, event_id, route_uid, attempt, attempted_at, duration_ms, outcome,
                request_url, request_method, request_headers, request_body, response_status, response_headers, response_body,
                error_class, error_message)
            select a.delivery_id, a.event_id, a.route_uid, a.attempt, a.attempted_at, a.duration_ms, a.outcome,
                   a.request_url, a.request_method, a.request_headers::jsonb, a.request_body, a.response_status,
                   a.response_headers::jsonb, a.response_body, a.error_class, a.error_message
            from unnest($1::bigint[], $2::text[], $3::uuid[], $4::int[], $5::timestamptz[], $6::int[], $7::text[], $8::text[],
                        $9::text[], $10::text[], $11::text[], $12::int[], $13::text[], $14::text[], $15::text[], $16::text[])
                 as a(delivery_id, event_id, route_uid, attempt, attempted_at, duration_ms, outcome, request_url, request_method,
                      request_headers, request_body, response_status, response_headers, response_body, error_class, error_message)
            """;
        const string succeededSql = """
            delete from auditlog.deliveries d
            using unnest($1::bigint[], $2::int[]) as s(id, attempt)
            where d.id = s.id and d.attempts = s.attempt
            """;
        const string unsuccessfulSql = """
            update auditlog.deliveries d
            set state = u.state, next_attempt_at = coalesce(u.next_attempt_at, d.next_attempt_at), last_status = u.status,
                last_error = u.error, updated_at = $7
            from unnest($1::bigint[], $2::int[], $3::text[], $4::timestamptz[], $5::int[], $6::text[])
                 as u(id, attempt, state, next_attempt_at, status, error)
            where d.id = u.id and d.attempts = u.attempt and d.state = 'pending'
            """;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);

        var attempts = new NpgsqlBatchCommand(insertAttemptsSql);
        AddArray(attempts, results, r => r.DeliveryId);
        AddArray(attempts, results, r => r.EventId);
        AddArray(attempts, results, r => r.RouteUid);
        AddArray(attempts, results, r => r.Attempt);
        AddArray(attempts, results, r => r.AttemptedAt);
        AddArray(attempts, results, r => (int)Math.Round(r.Duration.TotalMilliseconds));
        AddArray(attempts, results, r => OutcomeName(r.Outcome));
        AddArray(attempts, results, r => r.RequestUrl);
        AddArray(attempts, results, r => r.RequestMethod);
        AddArray(attempts, results, r => r.RequestHeaders);
        AddArray(attempts, results, r => r.RequestBody);
        AddArray(attempts, results, r => r.ResponseStatus);
        AddArray(attempts, results, r => r.ResponseHeaders);
        AddArray(attempts, results, r => r.ResponseBody);
        AddArray(attempts, results, r => r.ErrorClass);
        AddArray(attempts, results, r => r.ErrorMessage);
        batch.BatchCommands.Add(attempts);

        var succeeded = results.Where(r => r.Outcome == AttemptOutcome.Succeeded).ToList();
        if (succeeded.Count > 0)
        {
            var command = new NpgsqlBatchCommand(succeededSql);
            AddArray(command, succeeded, r => r.DeliveryId);
            AddArray(command, succeeded, r => r.Attempt);
            batch.BatchCommands.Add(command);
        }

        var unsuccessful = results.Where(r => r.Outcome != AttemptOutcome.Succeeded).ToList();
        if (unsuccessful.Count > 0)
        {
            var command = new NpgsqlBatchCommand(unsuccessfulSql);
            AddArray(command, unsuccessful, r => r.DeliveryId);
            AddArray(command, unsuccessful, r => r.Attempt);
            AddArray(command, unsuccessful, r => r.Outcome == AttemptOutcome.Failed ? "failed" : "pending");
            AddArray(command, unsuccessful, r => r.NextAttemptAt);
            AddArray(command, unsuccessful, r => r.ResponseStatus);
            AddArray(command, unsuccessful, r => r.ErrorMessage ?? r.ErrorClass);
            command.Parameters.Add(new() { Value = now });
            batch.BatchCommands.Add(command);
        }

        foreach (var disable in results.Where(r => r.DisableRouteReason is not null))
        {
            batch.BatchCommands.Add(RouteRepository.DisableCommand(disable.RouteUid, disable.DisableRouteReason!, disable.DeliveryId, now));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Puts failed (dead-letter) deliveries back in the queue, due now. Returns how many.</summary>
    public async Task<int> ReplayAsync(long[] deliveryIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string sql = """
            with replayed as (
                update auditlog.deliveries set state = 'pending', attempts = 0, next_attempt_at = $2, last_error = null,
                    last_status = null, updated_at = $2
                where id = any($1) and state = 'failed'
                returning id
            )
            select count(*), pg_notify('auditlog_deliveries', '') from replayed
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = deliveryIds });
        command.Parameters.Add(new() { Value = now });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Pending and failed counts and the oldest pending creation time, per route: cheap, for metrics.</summary>
    public async Task<IReadOnlyList<RouteQueueStats>> GetQueueStatsAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            select route_uid, count(*) filter (where state = 'pending'), count(*) filter (where state = 'failed'),
                   min(created_at) filter (where state = 'pending')
            from auditlog.deliveries group by route_uid
            """;
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var stats = new List<RouteQueueStats>();
        while (await reader.ReadAsync(cancellationToken))
        {
            stats.Add(new RouteQueueStats(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return stats;
    }

    /// <summary>Per-route queue figures and the outcome counts and latest attempt since <paramref name="since"/>.</summary>
    public async Task<IReadOnlyList<RouteDeliveryStats>> GetStatsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        const string sql = """
            with queue as (
                select route_uid, count(*) filter (where state = 'pending') as pending,
                       count(*) filter (where state = 'failed') as dead,
                       min(created_at) filter (where state = 'pending') as oldest_pending
                from auditlog.deliveries group by route_uid
            ), outcomes as (
                select route_uid, count(*) filter (where outcome = 'succeeded') as succeeded,
                       count(*) filter (where outcome = 'failed') as failed
                from auditlog.delivery_attempts where attempted_at >= $1 group by route_uid
            )
            select r.uid, r.namespace, r.name, r.disabled_reason, coalesce(o.succeeded, 0), coalesce(o.failed, 0), coalesce(q.pending, 0), coalesce(q.dead, 0), q.oldest_pending,
                   l.event_id, l.attempted_at, l.outcome, l.response_status, l.duration_ms, l.attempt, l.error_class, l.error_message
            from auditlog.routes r
            left join queue q on q.route_uid = r.uid
            left join outcomes o on o.route_uid = r.uid
            left join lateral (
                select event_id, attempted_at, outcome, response_status, duration_ms, attempt, error_class, error_message
                from auditlog.delivery_attempts a where a.route_uid = r.uid
                order by attempted_at desc limit 1
            ) l on true
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = since });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var stats = new List<RouteDeliveryStats>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var latest = reader.IsDBNull(9)
                ? null
                : new LatestAttempt(reader.GetString(9), reader.GetFieldValue<DateTimeOffset>(10), ParseOutcome(reader.GetString(11)),
                    reader.IsDBNull(12) ? null : reader.GetInt32(12), reader.GetInt32(13), reader.GetInt32(14),
                    reader.IsDBNull(15) ? null : reader.GetString(15), reader.IsDBNull(16) ? null : reader.GetString(16));
            stats.Add(new RouteDeliveryStats(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), latest));
        }

        return stats;
    }

    public static string OutcomeName(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Succeeded => "succeeded",
        AttemptOutcome.Retrying => "retrying",
        _ => "failed",
    };

    private static AttemptOutcome ParseOutcome(string value) => value switch
    {
        "succeeded" => AttemptOutcome.Succeeded,
        "retrying" => AttemptOutcome.Retrying,
        _ => AttemptOutcome.Failed,
    };

    private static void AddArray<T>(NpgsqlBatchCommand command, IReadOnlyList<AttemptResult> results, Func<AttemptResult, T> column)
    {
        var values = new T[results.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column(results[i]);
        }

        command.Parameters.Add(new NpgsqlParameter<T[]> { TypedValue = values });
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Maintenance;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.Dispatcher.Tests.Storage;

public sealed class RetentionTests
{
    [Fact]
    public async Task Sweep_RemovesOnlyExpiredRows_AndDropsWholeExpiredPartitions()
    {
        var connectionString = await (await PostgresCluster.Shared).CreateDatabaseAsync();
        await using var dataSource = await Standalone.MigratedAsync(connectionString);
        var retention = new RetentionRepository(dataSource, NullLogger<RetentionRepository>.Instance);
        var now = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
        await retention.EnsurePartitionsAsync(now.AddDays(-40), 45, CancellationToken.None);
        await Database.ScalarAsync<object>(connectionString, """
            with e as (insert into auditlog.events (event_id, organization_id, occurred_at, data_category, data_name, data_date, description,
                    actor_ip, actor_user_agent, actor_username, source, received_at, fanned_out_at)
                select 'evt_' || n, 'o', '', 'user', 'login', '', '', '', '', '', 'sql', $1 - n * interval '1 day', $1
                from unnest(array[1, 35, 36]) n returning id, event_id, received_at)
            , pending as (insert into auditlog.deliveries (event_pk, route_uid, state, next_attempt_at, created_at, updated_at)
                select id, gen_random_uuid(), 'pending', $1, received_at, received_at from e where event_id = 'evt_36')
            , attempts as (insert into auditlog.delivery_attempts (delivery_id, event_id, route_uid, attempt, attempted_at, duration_ms, outcome,
                    request_url, request_method, request_headers, request_body)
                select 0, event_id, gen_random_uuid(), 1, received_at, 1, 'succeeded', '', 'POST', '{}', '' from e)
            select 1
            """, now);

        var dropped = await retention.DropExpiredPartitionsAsync(now.AddDays(-30), CancellationToken.None);
        var (events, _) = await retention.SweepAsync(now.AddDays(-30), CancellationToken.None);

        Assert.Contains("delivery_attempts_20261029", dropped);
        Assert.DoesNotContain("delivery_attempts_20261104", dropped);
        Assert.Equal(1, events);
        Assert.Equal(["evt_1", "evt_36"], (await Database.RowsAsync(connectionString, "select event_id from auditlog.events order by event_id")).Select(r => (string)r[0]!));
        Assert.Equal(["evt_1"], (await Database.RowsAsync(connectionString, "select event_id from auditlog.delivery_attempts")).Select(r => (string)r[0]!));
    }
}

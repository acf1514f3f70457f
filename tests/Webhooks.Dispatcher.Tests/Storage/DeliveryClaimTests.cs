using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Deliveries;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.Dispatcher.Tests.Storage;

public sealed class DeliveryClaimTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);

    [Theory]
    // Nothing waits behind a full set of senders: the request's timeout plus one for a slot, as always.
    [InlineData(0, 5, 32, 2)]
    // Up to 15 in hand with 8 sending: at most one timeout waiting for a slot.
    [InlineData(0, 16, 32, 2)]
    // 32 in hand: the last may wait for three rounds of 8 before it sends.
    [InlineData(0, 40, 32, 4)]
    // 20 already held leave 12 to take; the deepest is the 32nd: three rounds again.
    [InlineData(20, 40, 32, 4)]
    public async Task Claim_LeaseCoversTheWaitForAnEndpointSlot(int held, int due, int perRoute, int timeouts)
    {
        var connectionString = await (await PostgresCluster.Shared).CreateDatabaseAsync();
        await using var dataSource = await Standalone.MigratedAsync(connectionString);
        var route = Samples.Route(new Uri("http://127.0.0.1:9/hook")) with { Timeout = TimeSpan.FromSeconds(1) };
        await Standalone.Routes(dataSource).UpsertAsync(route, CancellationToken.None);
        await Database.ScalarAsync<object>(connectionString, """
            with e as (insert into auditlog.events (event_id, organization_id, occurred_at, data_category, data_name, data_date, description,
                    actor_ip, actor_user_agent, actor_username, source, received_at, fanned_out_at)
                select 'evt_' || n, 'o', '', 'user', 'login', '', '', '', '', '', 'sql', $1, $1 from generate_series(1, $3) n returning id)
            insert into auditlog.deliveries (event_pk, route_uid, state, next_attempt_at, created_at, updated_at)
            select id, $2, 'pending', $1, $1, $1 from e
            """, Now, route.Uid, due);

        var claimed = await new DeliveryRepository(dataSource).ClaimAsync(
            new ClaimLimits(100, perRoute, 8, held > 0 ? [route.Uid] : [], held > 0 ? [held] : []), Now, Margin, CancellationToken.None);

        Assert.Equal(Math.Min(due, perRoute - held), claimed.Count);
        var leases = await Database.RowsAsync(connectionString, "select distinct next_attempt_at from auditlog.deliveries where attempts = 1");
        Assert.Equal([Now + Margin + TimeSpan.FromSeconds(timeouts)], leases.Select(r => new DateTimeOffset((DateTime)r[0]!, TimeSpan.Zero)));
    }
}

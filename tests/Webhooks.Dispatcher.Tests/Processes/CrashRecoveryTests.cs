using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.TestSupport.Postgres;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Processes;

public sealed class CrashRecoveryTests
{
    private static readonly Dictionary<string, string> QuickLeases = new() { ["Delivery:LeaseMargin"] = "00:00:01" };

    [Fact]
    public async Task DispatcherKilledMidDelivery_EveryAcceptedEventIsDeliveredAfterRestart()
    {
        // Slow answers keep many deliveries in flight at the moment of the kill.
        await using var receiver = await TestReceiver.StartAsync((_, _) => new ReceiverResponse(Delay: TimeSpan.FromMilliseconds(150)));
        var connectionString = await (await PostgresCluster.Shared).CreateDatabaseAsync();
        var accepted = new List<string>();
        await using (var first = await DispatcherProcess.StartAsync(connectionString, QuickLeases))
        {
            await using var dataSource = await Standalone.MigratedAsync(connectionString);
            await Standalone.Routes(dataSource).UpsertAsync(Samples.Route(receiver.Url()) with { Timeout = TimeSpan.FromSeconds(1) }, CancellationToken.None);
            using var client = first.CreateClient();
            for (var batch = 0; batch < 4; batch++)
            {
                var response = await client.PostAsJsonAsync("/v1/audit-logs", Enumerable.Range(0, 50).Select(_ => Samples.SeedRecord(eventId: null)).ToArray());
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                accepted.AddRange(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("event_ids").EnumerateArray().Select(e => e.GetString()!));
            }

            await receiver.WaitForCountAsync(20, TimeSpan.FromSeconds(30));
            first.Kill();
        }

        var deliveredBeforeRestart = receiver.Requests.Count;
        Assert.True(deliveredBeforeRestart < accepted.Count, "the kill must interrupt the run for this test to mean anything");

        await using var second = await DispatcherProcess.StartAsync(connectionString, QuickLeases);
        await receiver.WaitUntilAsync(r => r.Select(EventId).Distinct().Count() == accepted.Count, TimeSpan.FromSeconds(60));
        await Database.WaitUntilAsync(connectionString, "select count(*) = 0 from auditlog.deliveries", TimeSpan.FromSeconds(30));

        Assert.Equal(accepted.Order(), receiver.Requests.Select(EventId).Distinct().Order());
    }

    [Fact]
    public async Task TwoDispatchers_OnOneDatabase_DeliverEachEventOnce()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var connectionString = await (await PostgresCluster.Shared).CreateDatabaseAsync();
        await using var first = await DispatcherProcess.StartAsync(connectionString);
        await using var second = await DispatcherProcess.StartAsync(connectionString);
        await using var dataSource = await Standalone.MigratedAsync(connectionString);
        await Standalone.Routes(dataSource).UpsertAsync(Samples.Route(receiver.Url()), CancellationToken.None);

        var accepted = new List<string>();
        foreach (var dispatcher in new[] { first, second, first, second })
        {
            using var client = dispatcher.CreateClient();
            var response = await client.PostAsJsonAsync("/v1/audit-logs", Enumerable.Range(0, 100).Select(_ => Samples.SeedRecord(eventId: null)).ToArray());
            accepted.AddRange(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("event_ids").EnumerateArray().Select(e => e.GetString()!));
        }

        await receiver.WaitForCountAsync(accepted.Count, TimeSpan.FromSeconds(60));
        await Database.WaitUntilAsync(connectionString, "select count(*) = 0 from auditlog.deliveries", TimeSpan.FromSeconds(30));

        Assert.Equal(accepted.Order(), receiver.Requests.Select(EventId).Order());
        Assert.Equal(accepted.Count, await Database.ScalarAsync<long>(connectionString, "select count(*) from auditlog.delivery_attempts"));
    }

    private static string EventId(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("event_id").GetString()!;
}

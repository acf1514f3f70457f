using Webhooks.Dispatcher.Tests.Support;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Delivery;

public sealed class IsolationTests
{
    [Fact]
    public async Task HangingReceiver_DoesNotDelayDeliveriesToAHealthyOne()
    {
        await using var hanging = await TestReceiver.StartAsync((_, _) => new ReceiverResponse(Delay: TimeSpan.FromMinutes(5)));
        await using var healthy = await TestReceiver.StartAsync();
        // Few global slots, so that without the per-endpoint cap the hanging endpoint would take them all.
        await using var dispatcher = await DispatcherHost.StartAsync(new()
        {
            ["Delivery:Concurrency"] = "6",
            ["Delivery:PerEndpointConcurrency"] = "2",
        });
        await dispatcher.Routes.UpsertAsync(Samples.Route(hanging.Url(), "hanging") with { Timeout = TimeSpan.FromSeconds(30) }, CancellationToken.None);

        // Fill the hanging endpoint's queue first, then send to both.
        await dispatcher.IngestAsync(Enumerable.Range(0, 20).Select(_ => Samples.SeedRecord(eventId: null)).ToArray());
        await dispatcher.Routes.UpsertAsync(Samples.Route(healthy.Url(), "healthy"), CancellationToken.None);
        await dispatcher.IngestAsync(Enumerable.Range(0, 20).Select(_ => Samples.SeedRecord(eventId: null)).ToArray());

        // Each of the 20 later records reaches the healthy receiver long before the hanging endpoint's 30 s timeout.
        await healthy.WaitForCountAsync(20, TimeSpan.FromSeconds(15));
        Assert.Empty(hanging.Requests);
    }
}

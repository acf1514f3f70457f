using System.Net;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Delivery.Transport;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Delivery.Destinations;

/// <summary>The connect callback alone, under a real SocketsHttpHandler, with a scripted resolver.</summary>
public sealed class GuardedConnectorTests
{
    private readonly MappedHostResolver _resolver = new();
    private readonly RecordingDialer _dialer = new();

    [Fact]
    public async Task Connect_NameWithInternalAndPublicAnswers_DialsOnlyThePublicOne()
    {
        await using var receiver = await TestReceiver.StartAsync();
        _resolver.Map("mixed.example.com", "127.0.0.1", "203.0.113.7");
        _dialer.StandIn = e => new IPEndPoint(IPAddress.Loopback, e.Port);
        using var client = Client();

        using var response = await client.GetAsync($"http://mixed.example.com:{receiver.BaseAddress.Port}/hook");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("203.0.113.7"), receiver.BaseAddress.Port)], _dialer.Dialled);
    }

    [Fact]
    public async Task Connect_RebindingName_IsResolvedOncePerConnection_AndTheCheckedAddressIsDialled()
    {
        await using var receiver = await TestReceiver.StartAsync();
        // A rebinding DNS server: public on the first lookup, loopback afterwards.
        _resolver.Map("rebind.example.com", n => [IPAddress.Parse(n == 1 ? "203.0.113.7" : "127.0.0.1")]);
        _dialer.StandIn = e => new IPEndPoint(IPAddress.Loopback, e.Port);
        var url = $"http://rebind.example.com:{receiver.BaseAddress.Port}/hook";

        using (var client = Client())
        {
            using var first = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var client = Client())
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(url));
            Assert.Equal("rebind.example.com resolved to 127.0.0.1, which is loopback; allow it with Delivery:AllowedCidrs", Assert.IsType<BlockedDestinationException>(refused.InnerException).Message);
        }

        Assert.Equal(["rebind.example.com", "rebind.example.com"], _resolver.Lookups);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("203.0.113.7"), receiver.BaseAddress.Port)], _dialer.Dialled);
    }

    [Fact]
    public async Task Connect_NameWithNoAddress_IsADnsError()
    {
        _resolver.Map("nowhere.example.com");
        using var client = Client();

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://nowhere.example.com/hook"));

        Assert.Equal(ErrorClasses.Dns, ErrorClasses.Classify(failure).Class);
        Assert.Empty(_dialer.Dialled);
    }

    private HttpClient Client() => new(DeliveryHandlerFactory.Create(
        new DeliveryOptions(), new GuardedConnector(new DestinationPolicy([]), _resolver, _dialer), TimeProvider.System));
}

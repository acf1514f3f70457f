using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Delivery.Transport;
using Webhooks.Dispatcher.Routing;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Routes;
using Webhooks.TestSupport.Tls;

namespace Webhooks.Dispatcher.Tests.Delivery.Transport;

/// <summary>The per-route client cache alone: which client a route gets, and when a client is let go.</summary>
public sealed class DeliveryHttpClientsTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private readonly TestCertificateAuthority _otherCa = TestCertificateAuthority.Create("Other CA");
    private readonly RouteTable _table = new();
    private readonly DeliveryHttpClients _clients;

    public DeliveryHttpClientsTests() => _clients = new DeliveryHttpClients(
        Options.Create(new DeliveryOptions()),
        new GuardedConnector(new DestinationPolicy([]), new MappedHostResolver(), new RecordingDialer()),
        TimeProvider.System,
        _table,
        NullLogger<DeliveryHttpClients>.Instance);

    public void Dispose()
    {
        _clients.Dispose();
        _ca.Dispose();
        _otherCa.Dispose();
    }

    [Fact]
    public void RoutesWithoutTlsSettings_ShareOneClient()
    {
        using var first = _clients.Acquire(Route("a"));
        using var second = _clients.Acquire(Route("b"));

        Assert.Same(first.Client, second.Client);
        Assert.Empty(_clients.RoutesWithOwnClient);
    }

    [Fact]
    public void RouteWithCa_GetsItsOwnClient_ReusedWhileItsTlsSettingsStay()
    {
        var route = Route("a") with { CaCertificatesPem = _ca.CertificatePem };
        using var shared = _clients.Acquire(Route("b"));
        using var first = _clients.Acquire(route);
        using var again = _clients.Acquire(route with { Generation = 2, Headers = [] });

        Assert.NotSame(shared.Client, first.Client);
        Assert.Same(first.Client, again.Client);
    }

    [Fact]
    public void RetiredClient_InUse_IsDisposedOnlyWhenItsLastSendEnds()
    {
        var route = Route("a") with { CaCertificatesPem = _ca.CertificatePem };
        var inFlight = _clients.Acquire(route);

        using (var replacement = _clients.Acquire(route with { CaCertificatesPem = _otherCa.CertificatePem }))
        {
            Assert.NotSame(inFlight.Client, replacement.Client);
            inFlight.Client.CancelPendingRequests();   // still usable: a send is on it
        }

        inFlight.Dispose();
        Assert.Throws<ObjectDisposedException>(inFlight.Client.CancelPendingRequests);
    }

    [Fact]
    public void RouteGoneFromTheTable_ItsIdleClientIsDisposed()
    {
        var route = Route("a") with { CaCertificatesPem = _ca.CertificatePem };
        _table.Replace(new RouteTableSnapshot(1, [new StoredRoute(route, 1, null, null)]));
        HttpClient client;
        using (var lease = _clients.Acquire(route))
        {
            client = lease.Client;
        }

        _table.Replace(new RouteTableSnapshot(2, []));

        Assert.Empty(_clients.RoutesWithOwnClient);
        Assert.Throws<ObjectDisposedException>(client.CancelPendingRequests);
    }

    [Fact]
    public void UnusableTlsSettings_ThrowWithoutCachingAnything()
    {
        var failure = Assert.Throws<Webhooks.Dispatcher.Delivery.Tls.TlsMaterialException>(
            () => _clients.Acquire(Route("a") with { ClientCertificatePem = _ca.CertificatePem }));

        Assert.Equal("mutual TLS needs both the client certificate and its private key; the route has only one", failure.Message);
        Assert.Empty(_clients.RoutesWithOwnClient);
    }

    private static RouteDefinition Route(string name) => Samples.Route(new Uri($"https://{name}.example.com/hook"), name);
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Dispatcher.Delivery.Transport;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Routes;
using Webhooks.TestSupport.Receivers;
using Webhooks.TestSupport.Tls;

namespace Webhooks.Dispatcher.Tests.Delivery.Tls;

/// <summary>Per-route TLS against Kestrel receivers whose certificates a test CA issued.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private DispatcherHost _dispatcher = null!;

    public async Task InitializeAsync() => _dispatcher = await DispatcherHost.StartAsync();

    public async Task DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task PrivateCa_TrustedThroughTheRoute_AndRefusedWithoutIt()
    {
        // The certificate names 127.0.0.1 only: https://localhost/ is a name mismatch even with the CA.
        await using var receiver = await TestReceiver.StartAsync(tls: new ReceiverTls(_ca.IssueServer([IPAddress.Loopback])));
        using var otherCa = TestCertificateAuthority.Create("Someone Else's CA");
        await Upsert(Route(receiver, "with-ca") with { CaCertificatesPem = _ca.CertificatePem });
        await Upsert(Route(receiver, "without-ca"));
        await Upsert(Route(receiver, "other-ca") with { CaCertificatesPem = otherCa.CertificatePem });
        await Upsert(Route(receiver, "name-mismatch", host: "localhost") with { CaCertificatesPem = _ca.CertificatePem });
        await Upsert(Route(receiver, "bad-bundle") with { CaCertificatesPem = "not a certificate" });

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 5 from auditlog.delivery_attempts", Deadline);
        var attempts = await AttemptsByRoute();
        Assert.Equal(("succeeded", null), attempts["with-ca"]);
        Assert.Equal(("failed", "tls"), attempts["without-ca"]);
        Assert.Equal(("failed", "tls"), attempts["other-ca"]);
        Assert.Equal(("failed", "tls"), attempts["name-mismatch"]);
        Assert.Equal(("failed", "tls"), attempts["bad-bundle"]);
        Assert.Equal("the route's CA bundle holds no PEM certificate",
            await Database.ScalarAsync<string>(_dispatcher.ConnectionString, "select a.error_message from auditlog.delivery_attempts a join auditlog.routes r on r.uid = a.route_uid where r.name = 'bad-bundle'"));
        Assert.Equal("/hook/with-ca", Assert.Single(receiver.Requests).Path);
    }

    [Fact]
    public async Task MutualTls_RouteClientCertificate_IsAccepted_AndARouteWithoutOneRefused()
    {
        await using var receiver = await TestReceiver.StartAsync(tls: new ReceiverTls(_ca.IssueServer([IPAddress.Loopback]), RequireClientCertificateFrom: _ca.Certificate));
        var client = _ca.IssueClient("webhooks-dispatcher");
        await Upsert(Route(receiver, "with-client-cert") with { CaCertificatesPem = _ca.CertificatePem, ClientCertificatePem = client.CertificatePem, ClientKeyPem = client.KeyPem });
        await Upsert(Route(receiver, "without-client-cert") with { CaCertificatesPem = _ca.CertificatePem });
        await Upsert(Route(receiver, "key-only") with { CaCertificatesPem = _ca.CertificatePem, ClientKeyPem = client.KeyPem });
        await Upsert(Route(receiver, "wrong-key") with { CaCertificatesPem = _ca.CertificatePem, ClientCertificatePem = client.CertificatePem, ClientKeyPem = _ca.IssueClient("other").KeyPem });

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 4 from auditlog.delivery_attempts", Deadline);
        var attempts = await AttemptsByRoute();
        Assert.Equal(("succeeded", null), attempts["with-client-cert"]);
        Assert.Equal("failed", attempts["without-client-cert"].Outcome);
        // Under TLS 1.3 the client's handshake is over before the server checks for a certificate,
        // so the refusal arrives as a dropped connection; under TLS 1.2 it is a handshake failure.
        Assert.Contains(attempts["without-client-cert"].ErrorClass, new[] { "connection_reset", "tls" });
        Assert.Equal(("failed", "tls"), attempts["key-only"]);
        Assert.Equal(("failed", "tls"), attempts["wrong-key"]);
        var wrongKey = await Database.ScalarAsync<string>(_dispatcher.ConnectionString, "select a.error_message from auditlog.delivery_attempts a join auditlog.routes r on r.uid = a.route_uid where r.name = 'wrong-key'");
        Assert.StartsWith("the route's client certificate or key cannot be used: ", wrongKey, StringComparison.Ordinal);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/hook/with-client-cert", request.Path);
        Assert.Equal("CN=webhooks-dispatcher", request.ClientCertificateSubject);
        var everything = await Database.ScalarAsync<string>(_dispatcher.ConnectionString,
            "select string_agg(t::text, '') from (select * from auditlog.routes) t") + await Database.ScalarAsync<string>(_dispatcher.ConnectionString,
            "select string_agg(t::text, '') from (select * from auditlog.delivery_attempts) t");
        Assert.DoesNotContain("PRIVATE KEY", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteClient_IsCachedPerRoute_AndDroppedWhenItsTlsGoesOrTheRouteIsDeleted()
    {
        await using var receiver = await TestReceiver.StartAsync(tls: new ReceiverTls(_ca.IssueServer([IPAddress.Loopback])));
        var clients = _dispatcher.Services.GetRequiredService<DeliveryHttpClients>();
        var custom = Route(receiver, "custom") with { CaCertificatesPem = _ca.CertificatePem };
        var shared = Route(receiver, "shared", scheme: "http") with { Url = "http://127.0.0.1:9/unused" };
        await Upsert(custom);
        await Upsert(shared with { Suspended = true });

        await _dispatcher.IngestAsync(Samples.SeedRecord());
        await receiver.WaitForCountAsync(1, Deadline);
        Assert.Equal([custom.Uid], clients.RoutesWithOwnClient);

        // Same TLS settings, another generation: the client stays. TLS settings removed: it goes.
        await Upsert(custom with { Generation = 2, Headers = [new("Test", "Changed")] });
        await Eventually(() => _dispatcher.Services.GetRequiredService<Webhooks.Dispatcher.Routing.RouteTable>().Find(custom.Uid)?.Definition.Generation == 2);
        Assert.Equal([custom.Uid], clients.RoutesWithOwnClient);
        await Upsert(custom with { Generation = 3, CaCertificatesPem = null });
        await Eventually(() => clients.RoutesWithOwnClient.Count == 0);

        await Upsert(custom with { Generation = 4 });
        await _dispatcher.IngestAsync(Samples.SeedRecord(eventId: "evt_second"));
        await receiver.WaitForCountAsync(2, Deadline);
        Assert.Equal([custom.Uid], clients.RoutesWithOwnClient);
        await _dispatcher.Routes.DeleteAsync(custom.Uid, CancellationToken.None);
        await Eventually(() => clients.RoutesWithOwnClient.Count == 0);
    }

    private Task Upsert(RouteDefinition route) => _dispatcher.Routes.UpsertAsync(route, CancellationToken.None);

    private static RouteDefinition Route(TestReceiver receiver, string name, string host = "127.0.0.1", string scheme = "https") =>
        Samples.Route(new Uri($"{scheme}://{host}:{receiver.BaseAddress.Port}/hook/{name}"), name) with { MaxAttempts = 1 };

    private async Task<Dictionary<string, (string Outcome, string? ErrorClass)>> AttemptsByRoute() =>
        (await Database.RowsAsync(_dispatcher.ConnectionString,
            "select r.name, a.outcome, a.error_class from auditlog.delivery_attempts a join auditlog.routes r on r.uid = a.route_uid"))
        .ToDictionary(r => (string)r[0]!, r => ((string)r[1]!, (string?)r[2]));

    /// <summary>Polls a condition the dispatcher reaches on its own (a routing-table reload) until a deadline.</summary>
    private static async Task Eventually(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}

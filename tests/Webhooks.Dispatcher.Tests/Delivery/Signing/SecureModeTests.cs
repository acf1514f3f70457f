using System.Net;
using System.Text;
using System.Text.Json;
using StandardWebhooks.Diagnostics;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Routes;
using Webhooks.TestSupport.Receivers;
using Webhooks.TestSupport.Tls;

namespace Webhooks.Dispatcher.Tests.Delivery.Signing;

/// <summary>
/// Secure mode end to end: an HTTPS receiver (trusted through the route's CA) that verifies every
/// request with the StandardWebhooks package and answers 401 when verification fails.
/// </summary>
public sealed class SecureModeTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create();
    private readonly string _newKey = StandardWebhooksReceiver.NewSecret();
    private readonly string _previousKey = StandardWebhooksReceiver.NewSecret();
    private TestReceiver _receiver = null!;
    private DispatcherHost _dispatcher = null!;

    public async Task InitializeAsync()
    {
        _receiver = await TestReceiver.StartAsync(
            (request, _) => StandardWebhooksReceiver.VerifiesWithAny(_newKey, request) ? new ReceiverResponse(204) : new ReceiverResponse(401),
            tls: new ReceiverTls(_ca.IssueServer([IPAddress.Loopback])));
        _dispatcher = await DispatcherHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        await _receiver.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task SecureRoute_IsSigned_VerifiesWithStandardWebhooks_AndTamperingFails()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await _dispatcher.Routes.UpsertAsync(SecureRoute([_newKey]), CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 1 from auditlog.delivery_attempts where outcome = 'succeeded'", Deadline);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal(Samples.SeedEventId, request.Header("webhook-id"));
        Assert.InRange(long.Parse(request.Header("webhook-timestamp")!, System.Globalization.CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Matches("^v1,[A-Za-z0-9+/]{43}=$", request.Header("webhook-signature"));
        StandardWebhooksReceiver.Verify(_newKey, request);

        Assert.Throws<WebhookVerificationException>(() => StandardWebhooksReceiver.Verify(_newKey, request with { Body = Encoding.UTF8.GetBytes(Samples.SeedBody.Replace("koray", "mallory", StringComparison.Ordinal)) }));
        Assert.Throws<WebhookVerificationException>(() => StandardWebhooksReceiver.Verify(_newKey, With(request, "webhook-id", "evt_another")));
        Assert.Throws<WebhookVerificationException>(() => StandardWebhooksReceiver.Verify(_newKey, With(request, "webhook-timestamp", (long.Parse(request.Header("webhook-timestamp")!, System.Globalization.CultureInfo.InvariantCulture) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Throws<WebhookVerificationException>(() => StandardWebhooksReceiver.Verify(_previousKey, request));

        // The attempt record shows the signing headers as sent; a signature is not a key.
        var recorded = JsonSerializer.Deserialize<Dictionary<string, string>>(
            await Database.ScalarAsync<string>(_dispatcher.ConnectionString, "select request_headers::text from auditlog.delivery_attempts"))!;
        Assert.Equal(request.Header("webhook-id"), recorded["webhook-id"]);
        Assert.Equal(request.Header("webhook-timestamp"), recorded["webhook-timestamp"]);
        Assert.Equal(request.Header("webhook-signature"), recorded["webhook-signature"]);
        var everything = await Database.ScalarAsync<string>(_dispatcher.ConnectionString,
            "select string_agg(t::text, '') from (select * from auditlog.delivery_attempts) t");
        Assert.DoesNotContain(_newKey["whsec_".Length..], everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_TwoKeys_SendTwoSignatures_AndEitherKeyVerifies()
    {
        await _dispatcher.Routes.UpsertAsync(SecureRoute([_newKey, _previousKey]), CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await _receiver.WaitForCountAsync(1, Deadline);
        var request = Assert.Single(_receiver.Requests);
        var signatures = request.Header("webhook-signature")!.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.All(signatures, s => Assert.StartsWith("v1,", s, StringComparison.Ordinal));
        Assert.True(StandardWebhooksReceiver.VerifiesWithAny(_newKey, request));
        Assert.True(StandardWebhooksReceiver.VerifiesWithAny(_previousKey, request));
        Assert.False(StandardWebhooksReceiver.VerifiesWithAny(StandardWebhooksReceiver.NewSecret(), request));
    }

    [Fact]
    public async Task InsecureRoute_WithKeys_SendsNoSignatureHeaders()
    {
        await _dispatcher.Routes.UpsertAsync(SecureRoute([_newKey]) with { Secure = false }, CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await _receiver.WaitForCountAsync(1, Deadline);
        var request = Assert.Single(_receiver.Requests);
        Assert.DoesNotContain(request.Headers, h => h.Key.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SecureRoute_HttpUrlOrNoKey_IsRefusedUnsentAndNotRetried()
    {
        await using var plain = await TestReceiver.StartAsync();
        await _dispatcher.Routes.UpsertAsync(SecureRoute([_newKey]) with { Name = "http-url", Url = plain.Url().ToString(), CaCertificatesPem = null }, CancellationToken.None);
        await _dispatcher.Routes.UpsertAsync(SecureRoute([]) with { Name = "no-key" }, CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 2 from auditlog.deliveries where state = 'failed'", Deadline);
        var attempts = (await Database.RowsAsync(_dispatcher.ConnectionString, """
            select r.name, a.outcome, a.error_class, a.error_message, a.request_headers::text from auditlog.delivery_attempts a
            join auditlog.routes r on r.uid = a.route_uid order by r.name
            """)).ToList();
        Assert.Equal(["http-url", "no-key"], attempts.Select(a => (string)a[0]!));
        Assert.All(attempts, a => Assert.Equal("failed", a[1]));
        Assert.Equal("insecure_url", attempts[0][2]);
        Assert.Equal("secure mode sends only to https:// URLs and this webhook's URL is http://; use https, or turn secure mode off", attempts[0][3]);
        Assert.Equal("signing_key", attempts[1][2]);
        Assert.Equal("secure mode needs a signing key and the route has none; secure mode never sends unsigned", attempts[1][3]);
        Assert.All(attempts, a => Assert.DoesNotContain("webhook-signature", (string)a[4]!, StringComparison.Ordinal));
        Assert.Empty(plain.Requests);
        Assert.Empty(_receiver.Requests);
    }

    private RouteDefinition SecureRoute(IReadOnlyList<string> keys) => Samples.Route(_receiver.Url()) with
    {
        Secure = true,
        SigningKeys = keys,
        CaCertificatesPem = _ca.CertificatePem,
    };

    private static ReceivedRequest With(ReceivedRequest request, string header, string value) => request with
    {
        Headers = [.. request.Headers.Where(h => !string.Equals(h.Key, header, StringComparison.OrdinalIgnoreCase)), new(header, value)],
    };
}

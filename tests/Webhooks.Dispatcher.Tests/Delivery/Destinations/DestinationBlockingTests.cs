using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Routes;
using Webhooks.TestSupport.Receivers;
using Webhooks.TestSupport.Tls;

namespace Webhooks.Dispatcher.Tests.Delivery.Destinations;

/// <summary>
/// SSRF defence end to end: webhooks pointing at internal destinations are refused and recorded
/// as <c>blocked_destination</c> by a dispatcher that allows nothing internal; after a restart
/// with those ranges allow-listed, the very same deliveries go out. Addresses no local receiver
/// can own (10.0.0.1, fe80::1 …) are never sent a packet: <see cref="RecordingDialer"/> shows the
/// dispatcher dialled exactly that address and lets a local receiver answer in its place.
/// </summary>
public sealed class DestinationBlockingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Name, URL (ports filled in later), and what the recorded refusal says.</summary>
    private static readonly (string Name, string Url, string Refusal)[] Cases =
    [
        ("ipv4-loopback", "http://127.0.0.1:{v4}", "127.0.0.1 is loopback; allow it with Delivery:AllowedCidrs"),
        ("localhost", "http://localhost:{v4}", "localhost resolved to "),
        ("ipv6-loopback", "http://[::1]:{v6}", "::1 is loopback; allow it with Delivery:AllowedCidrs"),
        ("unspecified", "http://0.0.0.0:{v4}", "0.0.0.0 is unspecified"),
        ("private-10", "http://10.0.0.1:{v4}", "10.0.0.1 is private"),
        ("private-172", "http://172.16.0.1:{v4}", "172.16.0.1 is private"),
        ("private-192", "http://192.168.1.1:{v4}", "192.168.1.1 is private"),
        ("metadata", "http://169.254.169.254:{v4}", "169.254.169.254 is link-local"),
        ("cgnat", "http://100.64.0.1:{v4}", "100.64.0.1 is CGNAT"),
        ("mapped", "http://[::ffff:127.0.0.1]:{v4}", "[::ffff:127.0.0.1] resolved to 127.0.0.1, which is loopback"),
        ("decimal", "http://2130706433:{v4}", "127.0.0.1 is loopback"),
        ("hex", "http://0x7f000001:{v4}", "127.0.0.1 is loopback"),
        ("octal", "http://0177.0.0.1:{v4}", "127.0.0.1 is loopback"),
        ("ipv6-link-local", "http://[fe80::1]:{v4}", "fe80::1 is link-local"),
        ("name-to-loopback", "http://loopback.example.com:{v4}", "loopback.example.com resolved to 127.0.0.1, which is loopback"),
        ("tls-own-handler", "https://127.0.0.1:{tls}", "127.0.0.1 is loopback"),
    ];

    private static readonly string[] EverythingAllowed =
        ["127.0.0.0/8", "::1/128", "0.0.0.0/32", "10.0.0.1", "172.16.0.0/12", "192.168.1.1/32", "169.254.169.254/32", "100.64.0.0/10", "fe80::/10"];

    [Fact]
    public async Task InternalDestinations_AreBlockedAndRecorded_ThenDeliveredOnceAllowListed()
    {
        using var ca = TestCertificateAuthority.Create();
        using var serverCertificate = ca.IssueServer([IPAddress.Loopback]);
        await using var v4 = await TestReceiver.StartAsync();
        await using var v6 = await TestReceiver.StartAsync(host: "::1");
        await using var tls = await TestReceiver.StartAsync(tls: new ReceiverTls(serverCertificate));
        var resolver = new MappedHostResolver().Map("loopback.example.com", "127.0.0.1");
        var dialer = new RecordingDialer { StandIn = e => new IPEndPoint(IPAddress.Loopback, e.Port) };
        var connectionString = await (await Webhooks.TestSupport.Postgres.PostgresCluster.Shared).CreateDatabaseAsync();
        var routes = Cases.Select(c => Route(c.Name, c.Url, v4, v6, tls, ca)).ToList();
        // The default schedule's longest step is 10 h: a blocked delivery waits that long.
        var defaultSchedule = Samples.Route(new Uri($"http://127.0.0.2:{v4.BaseAddress.Port}/c/default-schedule"), "default-schedule") with { RetrySchedule = null };

        await using (var dispatcher = await DispatcherHost.StartAsync(DispatcherHost.AllowedCidrs(), connectionString, services: Fakes(resolver, dialer)))
        {
            foreach (var route in routes.Append(defaultSchedule))
            {
                await dispatcher.Routes.UpsertAsync(route, CancellationToken.None);
            }

            await dispatcher.IngestAsync(Samples.SeedRecord());
            await Database.WaitUntilAsync(connectionString,
                "select count(distinct route_uid) = $1 from auditlog.delivery_attempts where error_class = 'blocked_destination'", Deadline, (long)routes.Count + 1);
        }

        var firstAttempts = (await Database.RowsAsync(connectionString, """
            select r.name, a.outcome, a.error_message, a.response_status from auditlog.delivery_attempts a join auditlog.routes r on r.uid = a.route_uid
            where a.attempt = 1 and r.name <> 'default-schedule'
            """)).ToDictionary(r => (string)r[0]!);
        foreach (var (name, _, refusal) in Cases)
        {
            Assert.Equal("retrying", firstAttempts[name][1]);
            Assert.Contains(refusal, (string)firstAttempts[name][2]!, StringComparison.Ordinal);
            Assert.Null(firstAttempts[name][3]);
        }

        Assert.Empty(v4.Requests);
        Assert.Empty(v6.Requests);
        Assert.Empty(tls.Requests);
        Assert.Empty(dialer.Dialled);
        var wait = await Database.ScalarAsync<double>(connectionString, """
            select (extract(epoch from d.next_attempt_at - a.attempted_at) / 3600)::float8 from auditlog.deliveries d
            join auditlog.routes r on r.uid = d.route_uid join auditlog.delivery_attempts a on a.delivery_id = d.id
            where r.name = 'default-schedule'
            """);
        Assert.InRange(wait, 8, 12);

        // The operator allow-lists the ranges and restarts: the waiting deliveries go out.
        var allowed = DispatcherHost.AllowedCidrs(EverythingAllowed);
        await using (var dispatcher = await DispatcherHost.StartAsync(allowed, connectionString, services: Fakes(resolver, dialer)))
        {
            await Database.WaitUntilAsync(connectionString, "select count(*) = 1 from auditlog.deliveries", Deadline);
        }

        var delivered = v4.Requests.Concat(v6.Requests).Concat(tls.Requests).Select(r => r.Path).Order().ToList();
        Assert.Equal(Cases.Select(c => $"/c/{c.Name}").Order(), delivered);
        var port = v4.BaseAddress.Port;
        Assert.Equal(
            new[] { "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "fe80::1" }.Select(a => new IPEndPoint(IPAddress.Parse(a), port)).Order(EndPointOrder.Instance),
            dialer.Dialled.Where(e => !IPAddress.IsLoopback(e.Address) && !e.Address.Equals(IPAddress.Any)).Order(EndPointOrder.Instance));
        Assert.Equal(1L, await Database.ScalarAsync<long>(connectionString, "select count(*) from auditlog.deliveries d join auditlog.routes r on r.uid = d.route_uid where r.name = 'default-schedule' and d.state = 'pending'"));
    }

    [Fact]
    public async Task PublicLookingUrl_RedirectingToLoopback_IsNotFollowed()
    {
        await using var loopbackTarget = await TestReceiver.StartAsync();
        await using var redirector = await TestReceiver.StartAsync((_, _) =>
            new ReceiverResponse(302, new Dictionary<string, string> { ["Location"] = loopbackTarget.Url("/stolen").ToString() }));
        // hooks.example.com is public (203.0.113.10); the local redirector answers in its place.
        var resolver = new MappedHostResolver().Map("hooks.example.com", "203.0.113.10");
        var dialer = new RecordingDialer { StandIn = e => new IPEndPoint(IPAddress.Loopback, e.Port) };
        await using var dispatcher = await DispatcherHost.StartAsync(DispatcherHost.AllowedCidrs(), services: Fakes(resolver, dialer));
        await dispatcher.Routes.UpsertAsync(
            Samples.Route(new Uri($"http://hooks.example.com:{redirector.BaseAddress.Port}/hook")) with { MaxAttempts = 1 }, CancellationToken.None);

        await dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(dispatcher.ConnectionString, "select count(*) = 1 from auditlog.deliveries where state = 'failed'", Deadline);
        var attempt = (await Database.RowsAsync(dispatcher.ConnectionString, "select response_status, error_class from auditlog.delivery_attempts"))[0];
        Assert.Equal(302, attempt[0]);
        Assert.Equal("http_status", attempt[1]);
        Assert.Single(redirector.Requests);
        Assert.Empty(loopbackTarget.Requests);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("203.0.113.10"), redirector.BaseAddress.Port)], dialer.Dialled);
    }

    private static Action<IServiceCollection> Fakes(MappedHostResolver resolver, RecordingDialer dialer) => services =>
    {
        services.AddSingleton<IHostResolver>(resolver);
        services.AddSingleton<IDestinationDialer>(dialer);
    };

    private static RouteDefinition Route(string name, string url, TestReceiver v4, TestReceiver v6, TestReceiver tls, TestCertificateAuthority ca)
    {
        var target = new Uri(url.Replace("{v4}", $"{v4.BaseAddress.Port}", StringComparison.Ordinal)
            .Replace("{v6}", $"{v6.BaseAddress.Port}", StringComparison.Ordinal)
            .Replace("{tls}", $"{tls.BaseAddress.Port}", StringComparison.Ordinal) + $"/c/{name}");
        // Many attempts, quickly: blocked ones wait the longest step (here 500 ms), so both phases fit the test.
        return Samples.Route(target, name) with
        {
            MaxAttempts = 100,
            RetrySchedule = [TimeSpan.FromMilliseconds(500)],
            CaCertificatesPem = target.Scheme == Uri.UriSchemeHttps ? ca.CertificatePem : null,
        };
    }

    private sealed class EndPointOrder : IComparer<IPEndPoint>
    {
        public static readonly EndPointOrder Instance = new();

        public int Compare(IPEndPoint? x, IPEndPoint? y) => string.CompareOrdinal(x?.ToString(), y?.ToString());
    }
}

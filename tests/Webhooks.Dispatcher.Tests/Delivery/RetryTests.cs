using Microsoft.Extensions.DependencyInjection;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Delivery;

public sealed class RetryTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private DispatcherHost _dispatcher = null!;

    public async Task InitializeAsync() => _dispatcher = await DispatcherHost.StartAsync();

    public async Task DisposeAsync() => await _dispatcher.DisposeAsync();

    [Fact]
    public async Task Receiver_FailingTwiceThenSucceeding_GetsThreeRecordedAttempts()
    {
        await using var receiver = await TestReceiver.StartAsync((_, n) => new ReceiverResponse(n <= 2 ? 500 : 200, Body: $"answer {n}"));
        await _dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url()), CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 3 from auditlog.delivery_attempts", Deadline);
        var attempts = await Database.RowsAsync(_dispatcher.ConnectionString,
            "select attempt, outcome, response_status, error_class, response_body, event_id from auditlog.delivery_attempts order by attempt");
        Assert.Equal([1, 2, 3], attempts.Select(a => (int)a[0]!));
        Assert.Equal(["retrying", "retrying", "succeeded"], attempts.Select(a => (string)a[1]!));
        Assert.Equal([500, 500, 200], attempts.Select(a => (int)a[2]!));
        Assert.Equal(["http_status", "http_status", null], attempts.Select(a => (string?)a[3]));
        Assert.Equal("answer 3", attempts[2][4]);
        Assert.All(attempts, a => Assert.Equal(Samples.SeedEventId, a[5]));
        Assert.Equal(0L, await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select count(*) from auditlog.deliveries"));
    }

    [Theory]
    [InlineData(429, "120", 120)]
    [InlineData(503, "120", 120)]
    [InlineData(503, "999999", 3600)]
    public async Task RetryAfter_On429Or503_SetsTheNextAttemptCappedAtMax(int status, string retryAfter, int expectedSeconds)
    {
        await using var receiver = await TestReceiver.StartAsync((_, _) => new ReceiverResponse(status, new Dictionary<string, string> { ["Retry-After"] = retryAfter }));
        await _dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url()), CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 1 from auditlog.delivery_attempts", Deadline);
        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 1 from auditlog.deliveries where last_status is not null", Deadline);
        var gap = await Database.ScalarAsync<double>(_dispatcher.ConnectionString,
            "select extract(epoch from d.next_attempt_at - (a.attempted_at + a.duration_ms * interval '1 ms'))::float8 from auditlog.deliveries d, auditlog.delivery_attempts a");
        Assert.InRange(gap, expectedSeconds - 1, expectedSeconds + 1);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Gone_410_DisablesTheRouteAndFailsItsQueuedDeliveries()
    {
        await using var receiver = await TestReceiver.StartAsync((_, _) => new ReceiverResponse(410));
        var route = Samples.Route(receiver.Url());
        await _dispatcher.Routes.UpsertAsync(route, CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());
        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select disabled_at is not null from auditlog.routes", Deadline);
        await _dispatcher.IngestAsync(Samples.SeedRecord(eventId: "evt_after-disable"));
        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 2 from auditlog.deliveries where state = 'failed'", Deadline);

        Assert.Single(receiver.Requests);
        Assert.Contains("410", await Database.ScalarAsync<string>(_dispatcher.ConnectionString, "select disabled_reason from auditlog.routes"), StringComparison.Ordinal);
        Assert.Equal("endpoint disabled: the endpoint answered 410 Gone",
            await Database.ScalarAsync<string>(_dispatcher.ConnectionString, "select d.last_error from auditlog.deliveries d join auditlog.events e on e.id = d.event_pk where e.event_id = 'evt_after-disable'"));

        // A new generation of the Webhook (the user fixed it) re-enables the route.
        await _dispatcher.Routes.UpsertAsync(route with { Generation = 2 }, CancellationToken.None);
        Assert.Equal(0L, await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select count(*) from auditlog.routes where disabled_at is not null"));
    }

    [Fact]
    public async Task MaxAttempts_Exhausted_LeavesAFailedReplayableDelivery()
    {
        await using var receiver = await TestReceiver.StartAsync((_, n) => new ReceiverResponse(n <= 3 ? 500 : 200));
        await _dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url()) with { MaxAttempts = 3 }, CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 1 from auditlog.deliveries where state = 'failed'", Deadline);
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal(["retrying", "retrying", "failed"], (await Database.RowsAsync(_dispatcher.ConnectionString, "select outcome from auditlog.delivery_attempts order by attempt")).Select(r => (string)r[0]!));

        var deliveryId = await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select id from auditlog.deliveries");
        var replayed = await _dispatcher.Services.GetRequiredService<Webhooks.Storage.Deliveries.DeliveryRepository>().ReplayAsync([deliveryId], DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(1, replayed);
        await receiver.WaitForCountAsync(4, Deadline);
        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 0 from auditlog.deliveries", Deadline);
    }

    [Fact]
    public async Task Redirect_3xx_IsAFailedAttemptAndNotFollowed()
    {
        await using var target = await TestReceiver.StartAsync();
        await using var receiver = await TestReceiver.StartAsync((_, _) => new ReceiverResponse(302, new Dictionary<string, string> { ["Location"] = target.Url().ToString() }));
        await _dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url()) with { MaxAttempts = 1 }, CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 1 from auditlog.deliveries where state = 'failed'", Deadline);
        Assert.Equal(302, await Database.ScalarAsync<int>(_dispatcher.ConnectionString, "select response_status from auditlog.delivery_attempts"));
        Assert.Empty(target.Requests);
    }

    [Fact]
    public async Task ConnectionRefused_IsClassifiedAndRetried()
    {
        Uri deadUrl;
        await using (var gone = await TestReceiver.StartAsync())
        {
            deadUrl = gone.Url();
        }

        await _dispatcher.Routes.UpsertAsync(Samples.Route(deadUrl) with { MaxAttempts = 2 }, CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 2 from auditlog.delivery_attempts", Deadline);
        Assert.Equal(["connection_refused", "connection_refused"],
            (await Database.RowsAsync(_dispatcher.ConnectionString, "select error_class from auditlog.delivery_attempts order by attempt")).Select(r => (string)r[0]!));
        Assert.Equal(0L, await Database.ScalarAsync<long>(_dispatcher.ConnectionString, "select count(*) from auditlog.delivery_attempts where response_status is not null"));
    }

    [Fact]
    public async Task SecretHeaderAndSecretUrl_AreRedactedInAttemptRecords()
    {
        await using var receiver = await TestReceiver.StartAsync();
        var route = Samples.Route(receiver.Url("/hook/T0KEN-IN-PATH")) with
        {
            UrlFromSecret = true,
            Headers = [new("Test", "Webhook"), new("Authorization", "Bearer s3cr3t-value", FromSecret: true)],
        };
        await _dispatcher.Routes.UpsertAsync(route, CancellationToken.None);

        await _dispatcher.IngestAsync(Samples.SeedRecord());

        await Database.WaitUntilAsync(_dispatcher.ConnectionString, "select count(*) = 1 from auditlog.delivery_attempts", Deadline);
        Assert.Equal("Bearer s3cr3t-value", Assert.Single(receiver.Requests).Header("Authorization"));
        var row = (await Database.RowsAsync(_dispatcher.ConnectionString, "select request_url, request_headers::text from auditlog.delivery_attempts"))[0];
        Assert.Equal($"http://{receiver.BaseAddress.Authority}/***", row[0]);
        Assert.Contains("\"Authorization\": \"***\"", (string)row[1]!, StringComparison.Ordinal);
        Assert.Contains("\"Test\": \"Webhook\"", (string)row[1]!, StringComparison.Ordinal);
        var everything = await Database.ScalarAsync<string>(_dispatcher.ConnectionString,
            "select string_agg(t::text, '') from (select * from auditlog.routes) t");
        Assert.DoesNotContain("s3cr3t", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("T0KEN", everything, StringComparison.Ordinal);
    }
}

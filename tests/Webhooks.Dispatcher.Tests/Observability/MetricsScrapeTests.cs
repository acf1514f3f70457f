using System.Globalization;
using System.Text.RegularExpressions;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Dispatcher.Tests.Observability;

/// <summary>
/// After a delivery run, <c>/metrics</c> carries the documented series with the values the run
/// implies. Metrics are process-wide: these tests run alone (no other test ingests meanwhile), use
/// their own webhook names, and read deltas.
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed class MetricsScrapeTests
{
    [Fact]
    public async Task Scrape_AfterDeliveries_ShowsCountsDurationsAndLatency()
    {
        await using var receiver = await TestReceiver.StartAsync((_, n) => new ReceiverResponse(n % 3 == 1 ? 503 : 200));
        await using var dispatcher = await DispatcherHost.StartAsync();
        var name = $"metrics-{Guid.NewGuid():N}"[..20];
        await dispatcher.Routes.UpsertAsync(Samples.Route(receiver.Url(), name), CancellationToken.None);
        var ingestedBefore = Value(await ScrapeAsync(dispatcher), "webhooks_events_ingested_total", ("source", "http"), ("result", "accepted"));

        await dispatcher.IngestAsync(Enumerable.Range(0, 4).Select(_ => Samples.SeedRecord(eventId: null)).ToArray());
        await dispatcher.IngestAsync(new[] { Samples.SeedRecord(eventId: "evt_metrics-duplicate"), Samples.SeedRecord(eventId: "evt_metrics-duplicate") });
        await Database.WaitUntilAsync(dispatcher.ConnectionString, "select count(*) = 0 from auditlog.deliveries", TimeSpan.FromSeconds(20));
        var attempts = await Database.ScalarAsync<long>(dispatcher.ConnectionString, "select count(*) from auditlog.delivery_attempts");
        var retried = await Database.ScalarAsync<long>(dispatcher.ConnectionString, "select count(*) from auditlog.delivery_attempts where outcome = 'retrying'");

        var text = await ScrapeAsync(dispatcher);

        Assert.Equal(5, Value(text, "webhooks_events_ingested_total", ("source", "http"), ("result", "accepted")) - ingestedBefore);
        Assert.True(Value(text, "webhooks_events_ingested_total", ("source", "http"), ("result", "duplicate")) >= 1);
        Assert.Equal(5, Value(text, "webhooks_deliveries_total", ("namespace", "default"), ("webhook", name), ("result", "succeeded"), ("status_class", "2xx")));
        Assert.Equal(retried, Value(text, "webhooks_deliveries_total", ("namespace", "default"), ("webhook", name), ("result", "retrying"), ("status_class", "5xx")));
        Assert.Equal(attempts, Value(text, "webhooks_delivery_attempt_duration_seconds_count", ("namespace", "default"), ("webhook", name)));
        Assert.Equal(5, Value(text, "webhooks_delivery_latency_seconds_count", ("namespace", "default"), ("webhook", name)));
        Assert.True(Value(text, "webhooks_delivery_latency_seconds_sum", ("namespace", "default"), ("webhook", name)) > 0);
        Assert.DoesNotContain(receiver.BaseAddress.Authority, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_RoutesGauge_CountsStates()
    {
        await using var dispatcher = await DispatcherHost.StartAsync();
        await dispatcher.Routes.UpsertAsync(Samples.Route(new Uri("http://127.0.0.1:9/a"), "active-one"), CancellationToken.None);
        await dispatcher.Routes.UpsertAsync(Samples.Route(new Uri("http://127.0.0.1:9/b"), "paused-one") with { Suspended = true }, CancellationToken.None);

        string text;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        do
        {
            await Task.Delay(100, deadline.Token);
            text = await ScrapeAsync(dispatcher);
        }
        while (Value(text, "webhooks_routes", ("state", "suspended")) != 1 || Value(text, "webhooks_routes", ("state", "active")) != 1);

        Assert.Contains("webhooks_route_disabled{namespace=\"default\",webhook=\"active-one\"} 0", text, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(DispatcherHost dispatcher) => await dispatcher.Client.GetStringAsync("/metrics");

    /// <summary>The value of the series with exactly these labels (0 when absent).</summary>
    private static double Value(string exposition, string metric, params (string Name, string Value)[] labels)
    {
        foreach (Match line in Regex.Matches(exposition, $@"^{Regex.Escape(metric)}\{{(?<labels>[^}}]*)\}} (?<value>\S+)$", RegexOptions.Multiline))
        {
            var actual = Regex.Matches(line.Groups["labels"].Value, "(\\w+)=\"([^\"]*)\"").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToHashSet();
            if (actual.SetEquals(labels))
            {
                return double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}

[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

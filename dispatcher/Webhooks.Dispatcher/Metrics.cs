using Prometheus;
using Webhooks.Dispatcher.Routing;
using Webhooks.Storage.Deliveries;
using Webhooks.Storage.Events;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher;

/// <summary>
/// Every metric the dispatcher exports. Labels are namespace and webhook name, outcome and status
/// class only: never a URL, header or organization, so cardinality follows the number of Webhooks.
/// </summary>
internal static class Metrics
{
    private static readonly string[] RouteLabels = ["namespace", "webhook"];

    private static readonly Counter EventsIngested = Prometheus.Metrics.CreateCounter(
        "webhooks_events_ingested_total", "Audit records received, by source (http, sql) and result (accepted, duplicate, rejected).",
        new CounterConfiguration { LabelNames = ["source", "result"] });

    private static readonly Counter Deliveries = Prometheus.Metrics.CreateCounter(
        "webhooks_deliveries_total", "Delivery attempts by webhook, result (succeeded, retrying, failed) and HTTP status class (2xx … 5xx, none).",
        new CounterConfiguration { LabelNames = ["namespace", "webhook", "result", "status_class"] });

    private static readonly Histogram AttemptDuration = Prometheus.Metrics.CreateHistogram(
        "webhooks_delivery_attempt_duration_seconds", "Duration of one delivery attempt, request sent to response read.",
        new HistogramConfiguration { LabelNames = RouteLabels, Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });

    private static readonly Histogram DeliveryLatency = Prometheus.Metrics.CreateHistogram(
        "webhooks_delivery_latency_seconds", "Time from accepting an audit record to its successful delivery, retries included.",
        new HistogramConfiguration { LabelNames = RouteLabels, Buckets = Histogram.ExponentialBuckets(0.005, 2.5, 16) });

    private static readonly Gauge Pending = Prometheus.Metrics.CreateGauge(
        "webhooks_deliveries_pending", "Deliveries waiting to be sent or retried.", new GaugeConfiguration { LabelNames = RouteLabels });

    private static readonly Gauge OldestPendingAge = Prometheus.Metrics.CreateGauge(
        "webhooks_deliveries_oldest_pending_age_seconds", "Age of the oldest delivery still pending.", new GaugeConfiguration { LabelNames = RouteLabels });

    private static readonly Gauge Dead = Prometheus.Metrics.CreateGauge(
        "webhooks_deliveries_dead", "Deliveries that exhausted their attempts (failed, replayable).", new GaugeConfiguration { LabelNames = RouteLabels });

    private static readonly Gauge Routes = Prometheus.Metrics.CreateGauge(
        "webhooks_routes", "Routes in the routing table by state (active, suspended, disabled).", new GaugeConfiguration { LabelNames = ["state"] });

    private static readonly Gauge RouteDisabled = Prometheus.Metrics.CreateGauge(
        "webhooks_route_disabled", "1 while a webhook is disabled because its endpoint answered 410 Gone.", new GaugeConfiguration { LabelNames = RouteLabels });

    private static readonly Counter BlockedDestinations = Prometheus.Metrics.CreateCounter(
        "webhooks_delivery_blocked_total", "Attempts refused before connecting because the webhook's host is internal (loopback, private, link-local …) and not allow-listed.",
        new CounterConfiguration { LabelNames = ["namespace", "webhook", "range"] });

    public static void Ingested(string result, int count, string source = "http")
    {
        if (count > 0)
        {
            EventsIngested.WithLabels(source, result).Inc(count);
        }
    }

    /// <summary>SQL-enqueued records are first seen at fan-out; HTTP ones were counted at ingest.</summary>
    public static void FannedOut(IReadOnlyList<PendingEvent> events) =>
        Ingested("accepted", events.Count(e => e.Source == "sql"), "sql");

    public static void Record(IReadOnlyList<AttemptResult> results, RouteTable routes)
    {
        foreach (var result in results)
        {
            var route = routes.Find(result.RouteUid)?.Definition;
            var (ns, name) = (route?.Namespace ?? "", route?.Name ?? "");
            Deliveries.WithLabels(ns, name, DeliveryRepository.OutcomeName(result.Outcome), StatusClass(result.ResponseStatus)).Inc();
            AttemptDuration.WithLabels(ns, name).Observe(result.Duration.TotalSeconds);
            if (result.Outcome == AttemptOutcome.Succeeded)
            {
                DeliveryLatency.WithLabels(ns, name).Observe((result.AttemptedAt + result.Duration - result.EventReceivedAt).TotalSeconds);
            }
        }
    }

    /// <param name="range">The kind of range refused: one of the policy's fixed words, so the label stays bounded.</param>
    public static void Blocked(RouteDefinition route, string range) => BlockedDestinations.WithLabels(route.Namespace, route.Name, range).Inc();

    public static void SetRoutes(IReadOnlyList<StoredRoute> routes)
    {
        Routes.WithLabels("active").Set(routes.Count(r => !r.Disabled && !r.Definition.Suspended));
        Routes.WithLabels("suspended").Set(routes.Count(r => !r.Disabled && r.Definition.Suspended));
        Routes.WithLabels("disabled").Set(routes.Count(r => r.Disabled));
        RemoveStale(RouteDisabled, routes);
        foreach (var route in routes)
        {
            RouteDisabled.WithLabels(route.Definition.Namespace, route.Definition.Name).Set(route.Disabled ? 1 : 0);
        }
    }

    public static void SetQueue(IReadOnlyList<RouteQueueStats> stats, RouteTable routes, DateTimeOffset now)
    {
        RemoveStale(Pending, routes.All);
        RemoveStale(OldestPendingAge, routes.All);
        RemoveStale(Dead, routes.All);
        var byRoute = stats.ToDictionary(s => s.RouteUid);
        foreach (var route in routes.All)
        {
            var labels = new[] { route.Definition.Namespace, route.Definition.Name };
            var queue = byRoute.GetValueOrDefault(route.Definition.Uid);
            Pending.WithLabels(labels).Set(queue?.Pending ?? 0);
            Dead.WithLabels(labels).Set(queue?.Dead ?? 0);
            OldestPendingAge.WithLabels(labels).Set(queue?.OldestPending is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0);
        }
    }

    private static string StatusClass(int? status) => status is { } code and >= 100 and < 600 ? $"{code / 100}xx" : "none";

    /// <summary>Drops series of deleted Webhooks, so dashboards do not show them forever.</summary>
    private static void RemoveStale(Gauge gauge, IReadOnlyList<StoredRoute> routes)
    {
        var live = routes.Select(r => (r.Definition.Namespace, r.Definition.Name)).ToHashSet();
        foreach (var labels in gauge.GetAllLabelValues())
        {
            if (!live.Contains((labels[0], labels[1])))
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }
}

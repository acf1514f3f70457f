using Prometheus;
using Webhooks.Operator.Controller.Queue;

namespace Webhooks.Operator;

/// <summary>
/// Every metric the operator exports, under controller-runtime's names so its dashboards and alerts
/// work unchanged. Tests pass their own registry to read values in isolation.
/// </summary>
public sealed class OperatorMetrics
{
    // controller-runtime's reconcile_time_seconds buckets.
    private static readonly double[] ReconcileTimeBuckets =
    [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ];

    public OperatorMetrics()
        : this(Prometheus.Metrics.DefaultRegistry)
    {
    }

    public OperatorMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        ReconcileTotal = factory.CreateCounter(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller",
            ["controller", "result"]);
        ReconcileErrors = factory.CreateCounter(
            "controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller",
            ["controller"]);
        ReconcileTime = factory.CreateHistogram(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            ["controller"],
            new HistogramConfiguration { Buckets = ReconcileTimeBuckets });
        WorkQueueDepth = factory.CreateGauge("workqueue_depth", "Current depth of workqueue", ["name"]);
        WorkQueueAdds = factory.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue", ["name"]);
        WorkQueueRetries = factory.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue", ["name"]);
        LeaderElectionMasterStatus = factory.CreateGauge(
            "leader_election_master_status",
            "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
            ["name"]);
    }

    /// <summary><c>controller_runtime_reconcile_total{controller,result}</c>; result is one of <see cref="ReconcileResults"/>.</summary>
    public Counter ReconcileTotal { get; }

    public Counter ReconcileErrors { get; }

    public Histogram ReconcileTime { get; }

    public Gauge WorkQueueDepth { get; }

    public Counter WorkQueueAdds { get; }

    public Counter WorkQueueRetries { get; }

    /// <summary><c>leader_election_master_status{name}</c>, labelled with the lease name.</summary>
    public Gauge LeaderElectionMasterStatus { get; }

    /// <summary>The hooks a <see cref="WorkQueue"/> named <paramref name="name"/> reports through.</summary>
    public IWorkQueueMetrics ForWorkQueue(string name) => new WorkQueueMetrics(
        WorkQueueDepth.WithLabels(name),
        WorkQueueAdds.WithLabels(name),
        WorkQueueRetries.WithLabels(name));

    /// <summary>The <c>result</c> label values of <see cref="ReconcileTotal"/>.</summary>
    public static class ReconcileResults
    {
        public const string Success = "success";
        public const string Error = "error";
        public const string Requeue = "requeue";
        public const string RequeueAfter = "requeue_after";
    }

    private sealed class WorkQueueMetrics(Gauge.Child depth, Counter.Child adds, Counter.Child retries) : IWorkQueueMetrics
    {
        public void SetDepth(int value) => depth.Set(value);

        public void Added() => adds.Inc();

        public void Retried() => retries.Inc();
    }
}

using Microsoft.Extensions.Hosting;
using Webhooks.Operator.Controller.Leadership;
using Webhooks.Operator.Status;

namespace Webhooks.Operator.Controller;

/// <summary>
/// Hosts the <see cref="WebhookController"/>: under leader election when a
/// <see cref="LeaderElectionRunner"/> is given (only the leader runs informers and workers), else
/// directly, for a single replica or file mode. The delivery status reporter, when given, runs
/// beside the controller and only where it runs, so one replica reads delivery outcomes.
/// </summary>
public sealed class ControllerHost(WebhookController controller, LeaderElectionRunner? leaderElection = null, DeliveryStatusReporter? reporter = null) : BackgroundService
{
    /// <summary>True when this replica runs the controller: always without leader election.</summary>
    public bool IsLeader => leaderElection?.IsLeader ?? true;

    /// <summary>True once the running controller's caches are complete.</summary>
    public bool HasSynced => controller.HasSynced;

    /// <summary>
    /// Readiness: a leader (or the only replica) is ready once its caches have synced; a follower is a
    /// ready standby.
    /// </summary>
    public bool IsReady => !IsLeader || HasSynced;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leaderElection is null ? LeadAsync(stoppingToken) : leaderElection.RunAsync(LeadAsync, stoppingToken);

    private Task LeadAsync(CancellationToken cancellationToken) =>
        reporter is null
            ? controller.RunAsync(cancellationToken)
            : Task.WhenAll(controller.RunAsync(cancellationToken), reporter.RunAsync(controller.Enqueue, cancellationToken));
}

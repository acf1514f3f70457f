using System.ComponentModel.DataAnnotations;
using Webhooks.Operator.Controller.Leadership;
using Webhooks.Operator.Controller.Queue;

namespace Webhooks.Operator.Controller;

/// <summary>What the Webhook controller watches and how it works through changes.</summary>
public sealed class ControllerOptions
{
    /// <summary>Default <see cref="Name"/>: <c>webhook</c>.</summary>
    public const string DefaultName = "webhook";

    /// <summary>Default <see cref="Workers"/>: 16. Reconciles wait on PostgreSQL commits and API calls, not CPU.</summary>
    public const int DefaultWorkers = 16;

    /// <summary>The <c>controller</c> label of the reconcile metrics and the <c>name</c> of the work queue's. Default <c>webhook</c>.</summary>
    [Required]
    public string Name { get; set; } = DefaultName;

    /// <summary>Namespaces to watch Webhooks and Secrets in; empty (the default) watches every namespace.</summary>
    public List<string> Namespaces { get; set; } = [];

    /// <summary>How many keys are reconciled at once (never the same key twice). Default 4.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = DefaultWorkers;

    /// <summary>Backoff of keys whose reconcile failed.</summary>
    [Required]
    public WorkQueueOptions Queue { get; set; } = new();

    [Required]
    public LeaderElectionOptions LeaderElection { get; set; } = new();
}

using System.ComponentModel.DataAnnotations;
using Webhooks.Operator.Controller.Leadership;
using Webhooks.Operator.Controller.Queue;

namespace Webhooks.Operator.Controller;

/// <summary>What the Webhook controller watches and how it works through changes.</summary>
/// <remarks>
/// Validating this object also validates <see cref="Queue"/> and <see cref="LeaderElection"/>:
/// data-annotation validation does not descend into nested objects by itself.
/// </remarks>
public sealed class ControllerOptions : IValidatableObject
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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Namespaces.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult("Namespaces must not contain empty names.", [nameof(Namespaces)]);
        }

        foreach (var (name, nested) in new (string, object)[] { (nameof(Queue), Queue), (nameof(LeaderElection), LeaderElection) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(nested, new ValidationContext(nested), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult(result.ErrorMessage, [.. result.MemberNames.Select(member => $"{name}.{member}")]);
            }
        }
    }
}

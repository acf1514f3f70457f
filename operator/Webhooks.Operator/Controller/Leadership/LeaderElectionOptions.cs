using System.ComponentModel.DataAnnotations;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Webhooks.Operator.Controller.Leadership;

/// <summary>
/// Lease-based leader election among operator replicas; the timings are controller-runtime's
/// defaults. Only the leader runs informers and workers.
/// </summary>
public sealed class LeaderElectionOptions : IValidatableObject
{
    /// <summary>Default <see cref="LeaseName"/>.</summary>
    public const string DefaultLeaseName = "webhooks-operator-leader";

    /// <summary>Default <see cref="LeaseDuration"/>: 15 s.</summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromSeconds(15);

    /// <summary>Default <see cref="RenewDeadline"/>: 10 s.</summary>
    public static readonly TimeSpan DefaultRenewDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Default <see cref="RetryPeriod"/>: 2 s.</summary>
    public static readonly TimeSpan DefaultRetryPeriod = TimeSpan.FromSeconds(2);

    private const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>False for a single replica (and file mode): the controller runs without a lease. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The coordination.k8s.io/v1 Lease the replicas compete for. Default <c>webhooks-operator-leader</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    public string LeaseName { get; set; } = DefaultLeaseName;

    /// <summary>The Lease's namespace. Default: the pod's own namespace (from its service account), else <c>default</c>.</summary>
    public string? LeaseNamespace { get; set; }

    /// <summary>This replica's name in the Lease. Default: the host (pod) name with a random suffix.</summary>
    public string? Identity { get; set; }

    /// <summary>
    /// How long followers wait after the last renewal before taking over. Default 15 s. Whole
    /// seconds only: KubernetesClient stores it in the Lease as an integer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = DefaultLeaseDuration;

    /// <summary>How long the leader keeps retrying a failed renewal before it gives up leadership. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RenewDeadline { get; set; } = DefaultRenewDeadline;

    /// <summary>How often candidates try to acquire, and the leader renews. Default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RetryPeriod { get; set; } = DefaultRetryPeriod;

    /// <summary>
    /// Hand the Lease back when the leader shuts down, so a follower takes over at its next retry
    /// instead of after <see cref="LeaseDuration"/>. Safe because the controller has stopped by then.
    /// Default true.
    /// </summary>
    public bool ReleaseOnCancel { get; set; } = true;

    /// <summary>A <see cref="LeaseLock"/> for these options, resolving the namespace and identity defaults.</summary>
    public ILock CreateLock(IKubernetes client) =>
        new LeaseLock(client, ResolveNamespace(), LeaseName, ResolveIdentity());

    public string ResolveNamespace()
    {
        if (!string.IsNullOrEmpty(LeaseNamespace))
        {
            return LeaseNamespace;
        }

        return File.Exists(ServiceAccountNamespaceFile) ? File.ReadAllText(ServiceAccountNamespaceFile).Trim() : "default";
    }

    public string ResolveIdentity() =>
        string.IsNullOrEmpty(Identity) ? $"{Environment.MachineName}_{Guid.NewGuid():N}" : Identity;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            yield return new ValidationResult("LeaseDuration must be whole seconds.", [nameof(LeaseDuration)]);
        }

        // client-go's rules: the leader must give up before followers may take over, and retry
        // more than once within its deadline.
        if (RenewDeadline >= LeaseDuration)
        {
            yield return new ValidationResult("RenewDeadline must be shorter than LeaseDuration.", [nameof(RenewDeadline), nameof(LeaseDuration)]);
        }

        if (RetryPeriod >= RenewDeadline)
        {
            yield return new ValidationResult("RetryPeriod must be shorter than RenewDeadline.", [nameof(RetryPeriod), nameof(RenewDeadline)]);
        }
    }
}

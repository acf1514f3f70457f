using System.ComponentModel.DataAnnotations;

namespace Webhooks.Operator;

public sealed class OperatorOptions : IValidatableObject
{
    public const string SectionName = "Operator";

    /// <summary>
    /// Where Webhooks come from: <c>Kubernetes</c> (the API server; in-cluster or kubeconfig) or
    /// <c>Files</c> (a directory of YAML manifests, watched; for use without a cluster).
    /// </summary>
    [Required]
    public string Source { get; set; } = "Kubernetes";

    /// <summary>With <c>Source=Files</c>: the directory of Webhook and Secret manifests.</summary>
    public string? ManifestsPath { get; set; }

    /// <summary>With <c>Source=Kubernetes</c>: a kubeconfig file; unset means in-cluster config, else ~/.kube/config.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Identity in Events and the leader Lease; defaults to POD_NAME, else the host name.</summary>
    public string? Identity { get; set; }

    public bool FileMode => string.Equals(Source, "Files", StringComparison.OrdinalIgnoreCase);

    /// <summary>How often delivery outcomes are read from PostgreSQL. Default 10 s.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Fewest seconds between delivery-driven status updates of one Webhook. Default 30 s.</summary>
    public TimeSpan MinStatusInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After a signing secret changes, how long the previous key keeps signing beside the new one. Default 24 h.</summary>
    public TimeSpan SigningKeyOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Tenancy: namespace → the organization ids whose audit records its Webhooks may receive.
    /// A listed namespace's Webhooks must filter on a subset of these organizations; the entry
    /// <c>*</c> applies to every namespace not listed. No entries: no restriction.
    /// </summary>
    public Dictionary<string, List<string>> AllowedOrganizations { get; set; } = [];

    /// <summary>The organizations a namespace may receive, or null when it is unrestricted.</summary>
    public IReadOnlyList<string>? OrganizationsAllowedIn(string @namespace) =>
        AllowedOrganizations.TryGetValue(@namespace, out var own) ? own : AllowedOrganizations.GetValueOrDefault("*");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!FileMode && !string.Equals(Source, "Kubernetes", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"Operator:Source must be Kubernetes or Files, not '{Source}'", [nameof(Source)]);
        }

        if (FileMode && (string.IsNullOrEmpty(ManifestsPath) || !Directory.Exists(ManifestsPath)))
        {
            yield return new ValidationResult($"Operator:ManifestsPath '{ManifestsPath}' must name an existing directory when Operator:Source is Files", [nameof(ManifestsPath)]);
        }

        if (MinStatusInterval < TimeSpan.Zero || StatusInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Operator:StatusInterval must be positive and Operator:MinStatusInterval not negative", [nameof(StatusInterval)]);
        }
    }
}

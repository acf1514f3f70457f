using System.ComponentModel.DataAnnotations;

namespace Webhooks.Operator;

public sealed class OperatorOptions
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

    /// <summary>How often delivery outcomes are read from PostgreSQL. Default 10 s.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Fewest seconds between delivery-driven status updates of one Webhook. Default 30 s.</summary>
    public TimeSpan MinStatusInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Tenancy: namespace → the organization ids whose audit records its Webhooks may receive.
    /// A listed namespace's Webhooks must filter on a subset of these organizations; the entry
    /// <c>*</c> applies to every namespace not listed. No entries: no restriction.
    /// </summary>
    public Dictionary<string, List<string>> AllowedOrganizations { get; set; } = [];

    /// <summary>The organizations a namespace may receive, or null when it is unrestricted.</summary>
    public IReadOnlyList<string>? OrganizationsAllowedIn(string @namespace) =>
        AllowedOrganizations.TryGetValue(@namespace, out var own) ? own : AllowedOrganizations.GetValueOrDefault("*");
}

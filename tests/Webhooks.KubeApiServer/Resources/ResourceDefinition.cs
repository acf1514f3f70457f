using Webhooks.KubeApiServer.Printing;
using Webhooks.KubeApiServer.Validation;

namespace Webhooks.KubeApiServer.Resources;

/// <summary>One served resource of one group version, with the rules that shape how it is stored.</summary>
internal sealed class ResourceDefinition
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public required bool Namespaced { get; init; }

    /// <summary>Resources sharing a key share objects (events of core/v1 and events.k8s.io/v1, versions of a CRD).</summary>
    public required string StorageKey { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool HasStatusSubresource { get; init; }

    public bool IsCustomResource { get; init; }

    public bool TracksGeneration { get; init; }

    public bool AllowUnconditionalUpdate { get; init; } = true;

    public bool AllowCreateOnUpdate { get; init; }

    public SchemaNode? Schema { get; init; }

    public IReadOnlyList<PrinterColumn> Columns { get; init; } = [PrinterColumn.Age];

    public ResourceBehavior Behavior { get; init; } = ResourceBehavior.Default;

    /// <summary>The CRD that declared this resource, so that deleting the CRD removes it.</summary>
    public string? DefinedBy { get; init; }

    public bool Served { get; init; } = true;

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public string ListKind => $"{Kind}List";
}

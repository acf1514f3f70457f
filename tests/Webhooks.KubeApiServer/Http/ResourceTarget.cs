using Webhooks.KubeApiServer.Errors;
using Webhooks.KubeApiServer.Resources;

namespace Webhooks.KubeApiServer.Http;

/// <summary>What a resource URL addresses: a collection (optionally in a namespace), an object, or its status.</summary>
internal sealed record ResourceTarget(ResourceDefinition Resource, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>Parses the segments after <c>/api/v1</c> or <c>/apis/group/version</c>.</summary>
    public static ResourceTarget? Parse(ResourceRegistry registry, string group, string version, IReadOnlyList<string> segments)
    {
        string? ns = null;
        var rest = segments;
        if (segments.Count >= 3 && segments[0] == "namespaces" && segments[2] is not ("status" or "finalize"))
        {
            ns = segments[1];
            rest = segments.Skip(2).ToList();
        }

        if (rest.Count is 0 or > 3)
        {
            return null;
        }

        var resource = registry.Find(group, version, rest[0]);
        if (resource is null || (ns is not null && !resource.Namespaced))
        {
            return null;
        }

        var name = rest.Count > 1 ? rest[1] : null;
        var subresource = rest.Count > 2 ? rest[2] : null;
        if (resource.Namespaced && ns is null && name is not null)
        {
            return null;
        }

        if (subresource is not null && !(subresource == "status" && resource.HasStatusSubresource))
        {
            throw StatusErrors.PathNotFound();
        }

        return new ResourceTarget(resource, ns, name, subresource);
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Resources;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Discovery;

/// <summary>
/// Just enough OpenAPI v3 for kubectl: its create/apply path refuses to run without a document, and
/// uses each PATCH operation's <c>fieldValidation</c> parameter to decide that the server validates
/// fields itself. No schemas are published, so kubectl falls back to its compiled-in types for
/// strategic merge patches and <c>kubectl explain</c> does not work.
/// </summary>
internal static class OpenApiDocuments
{
    public static JsonObject Index(ResourceRegistry registry)
    {
        var paths = new JsonObject();
        foreach (var (group, versions) in registry.Groups())
        {
            foreach (var version in versions)
            {
                var key = GroupVersionPath(group, version);
                var hash = Hash(GroupVersion(registry, group, version)!);
                paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
            }
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? GroupVersion(ResourceRegistry registry, string group, string version)
    {
        var resources = registry.All.Where(d => d.Group == group && d.Version == version).ToList();
        if (resources.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var resource in resources.OrderBy(r => r.Plural, StringComparer.Ordinal))
        {
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var scope = resource.Namespaced ? "/namespaces/{namespace}" : string.Empty;
            paths[$"{prefix}{scope}/{resource.Plural}/{{name}}"] = new JsonObject { ["patch"] = PatchOperation(resource) };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = DiscoveryDocuments.Version()["gitVersion"]!.DeepClone() },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static JsonObject PatchOperation(ResourceDefinition resource) => new()
    {
        ["operationId"] = $"patch{resource.Kind}",
        ["parameters"] = new JsonArray(
            QueryParameter("dryRun"),
            QueryParameter("fieldManager"),
            QueryParameter("fieldValidation"),
            QueryParameter("force")),
        ["requestBody"] = new JsonObject
        {
            ["content"] = new JsonObject
            {
                ["application/json-patch+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                ["application/merge-patch+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                ["application/apply-patch+yaml"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
            },
            ["required"] = true,
        },
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        ["x-kubernetes-action"] = "patch",
        ["x-kubernetes-group-version-kind"] = new JsonObject
        {
            ["group"] = resource.Group,
            ["version"] = resource.Version,
            ["kind"] = resource.Kind,
        },
    };

    private static JsonObject QueryParameter(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private static string Hash(JsonObject document) =>
        Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(document.ToJsonString(Json.Compact))));
}

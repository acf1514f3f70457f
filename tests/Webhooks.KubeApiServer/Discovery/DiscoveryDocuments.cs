using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Resources;

namespace Webhooks.KubeApiServer.Discovery;

/// <summary>
/// The legacy (unaggregated) discovery documents. kubectl asks for aggregated discovery first and
/// falls back to these when the response is plain JSON.
/// </summary>
internal static class DiscoveryDocuments
{
    private static readonly string[] ResourceVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] StatusVerbs = ["get", "patch", "update"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2024-12-11T00:00:00Z",
        ["goVersion"] = "go1.23.4",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject ApiVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceRegistry registry) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(registry.Groups().Where(g => g.Group.Length > 0).Select(g => (JsonNode)Group(g.Group, g.Versions)).ToArray()),
    };

    public static JsonObject? Group(ResourceRegistry registry, string group) =>
        registry.Groups().Where(g => g.Group == group).Select(g => Group(g.Group, g.Versions)).FirstOrDefault();

    public static JsonObject? ResourceList(ResourceRegistry registry, string group, string version)
    {
        var resources = registry.All.Where(d => d.Group == group && d.Version == version).OrderBy(d => d.Plural, StringComparer.Ordinal).ToList();
        if (resources.Count == 0)
        {
            return null;
        }

        var entries = new JsonArray();
        foreach (var resource in resources)
        {
            var entry = new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = new JsonArray(ResourceVerbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (resource.ShortNames.Count > 0)
            {
                entry["shortNames"] = new JsonArray(resource.ShortNames.Select(s => (JsonNode)s).ToArray());
            }

            if (resource.Categories.Count > 0)
            {
                entry["categories"] = new JsonArray(resource.Categories.Select(s => (JsonNode)s).ToArray());
            }

            entries.Add(entry);
            if (resource.HasStatusSubresource)
            {
                entries.Add(new JsonObject
                {
                    ["name"] = $"{resource.Plural}/status",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = resource.Namespaced,
                    ["kind"] = resource.Kind,
                    ["verbs"] = new JsonArray(StatusVerbs.Select(v => (JsonNode)v).ToArray()),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = entries,
        };
    }

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        JsonObject GroupVersion(string version) => new() { ["groupVersion"] = $"{name}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = name,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)GroupVersion(v)).ToArray()),
            ["preferredVersion"] = GroupVersion(versions[0]),
        };
    }
}

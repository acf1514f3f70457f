using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Printing;
using Webhooks.KubeApiServer.Resources;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.KubeApiServer.Validation;

namespace Webhooks.KubeApiServer.CustomResources;

/// <summary>Turns an <c>apiextensions.k8s.io/v1 CustomResourceDefinition</c> into the resources it serves.</summary>
internal static class CrdParser
{
    public static IReadOnlyList<ResourceDefinition> Parse(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw new FormatException("CRD has no spec");
        var group = Json.GetString(spec, "group") ?? throw new FormatException("CRD has no spec.group");
        var names = spec["names"] as JsonObject ?? throw new FormatException("CRD has no spec.names");
        var plural = Json.GetString(names, "plural") ?? throw new FormatException("CRD has no spec.names.plural");
        var kind = Json.GetString(names, "kind") ?? throw new FormatException("CRD has no spec.names.kind");
        var singular = Json.GetString(names, "singular") ?? kind.ToLowerInvariant();
        var namespaced = Json.GetString(spec, "scope") != "Cluster";
        var crdName = Json.GetString(crd, "metadata", "name") ?? $"{plural}.{group}";

        return (spec["versions"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(version => new ResourceDefinition
            {
                Group = group,
                Version = Json.GetString(version, "name") ?? throw new FormatException("CRD version has no name"),
                Plural = plural,
                Singular = singular,
                Kind = kind,
                Namespaced = namespaced,
                StorageKey = $"{group}/{plural}",
                ShortNames = Json.StringList(names["shortNames"]),
                Categories = Json.StringList(names["categories"]),
                HasStatusSubresource = version["subresources"]?["status"] is JsonObject,
                IsCustomResource = true,
                TracksGeneration = true,
                AllowUnconditionalUpdate = false,
                Schema = version["schema"]?["openAPIV3Schema"] is JsonObject schema ? SchemaNode.Parse(schema) : null,
                Columns = Columns(version),
                DefinedBy = crdName,
                Served = version["served"]?.GetValueKind() != System.Text.Json.JsonValueKind.False,
            })
            .ToList();
    }

    private static IReadOnlyList<PrinterColumn> Columns(JsonObject version)
    {
        if (version["additionalPrinterColumns"] is not JsonArray { Count: > 0 } columns)
        {
            return [TableConverter.NameColumn, PrinterColumn.Age];
        }

        var result = new List<PrinterColumn> { TableConverter.NameColumn };
        foreach (var column in columns.OfType<JsonObject>())
        {
            var path = JsonPathExpression.Parse(Json.GetString(column, "jsonPath") ?? ".");
            result.Add(new PrinterColumn(
                Json.GetString(column, "name") ?? string.Empty,
                Json.GetString(column, "type") ?? "string",
                Json.GetString(column, "format") ?? string.Empty,
                Json.GetString(column, "description") ?? string.Empty,
                (int)(Json.AsLong(column["priority"]) ?? 0),
                obj => path.Evaluate(obj) is { Count: > 0 } results ? results[0]?.DeepClone() : null));
        }

        return result;
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Resources;

namespace Webhooks.KubeApiServer.Printing;

/// <summary>What a Table row carries besides its cells (the <c>includeObject</c> query parameter).</summary>
internal enum IncludeObject
{
    Metadata,
    Object,
    None,
}

/// <summary>Builds <c>meta.k8s.io/v1 Table</c> responses, which is what <c>kubectl get</c> prints.</summary>
internal sealed class TableConverter(TimeProvider timeProvider)
{
    public const string NameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public static PrinterColumn NameColumn { get; } = new("Name", "string", "name", NameDescription, 0, obj => obj["metadata"]?["name"]?.DeepClone());

    public JsonObject Convert(ResourceDefinition resource, IEnumerable<JsonObject> objects, JsonObject listMetadata, IncludeObject include)
    {
        var now = timeProvider.GetUtcNow();
        var columns = resource.Columns;
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata,
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = new JsonArray(objects.Select(obj => (JsonNode)Row(columns, obj, include, now)).ToArray()),
        };
    }

    private static JsonObject Row(IReadOnlyList<PrinterColumn> columns, JsonObject obj, IncludeObject include, DateTimeOffset now)
    {
        var row = new JsonObject
        {
            ["cells"] = new JsonArray(columns.Select(c => Cell(c, obj, now)).ToArray()),
        };
        switch (include)
        {
            case IncludeObject.Object:
                row["object"] = obj.DeepClone();
                break;
            case IncludeObject.Metadata:
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj["metadata"]?.DeepClone(),
                };
                break;
        }

        return row;
    }

    private static JsonNode? Cell(PrinterColumn column, JsonObject obj, DateTimeOffset now)
    {
        var value = column.Value(obj);
        if (value is null)
        {
            return null;
        }

        var isString = value is JsonValue v && v.GetValueKind() == JsonValueKind.String;
        return column.Type switch
        {
            "date" when isString && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp)
                => HumanDuration.Format(now - timestamp),
            "date" => null,
            "integer" or "number" or "boolean" when !isString => value.DeepClone(),
            _ => JsonPathExpression.Render(value),
        };
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>
/// Converts JSON into the CLR shapes the Cel package can select fields on: dictionaries, lists,
/// <see cref="long"/> for integers and <see cref="double"/> for numbers, guided by the schema.
/// </summary>
internal static class CelValueConverter
{
    public static object? ToCel(JsonNode? value, SchemaNode? schema)
    {
        switch (value)
        {
            case null:
                return null;
            case JsonObject obj:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, child) in obj)
                {
                    var childSchema = schema?.Properties.GetValueOrDefault(key) ?? schema?.AdditionalProperties;
                    map[key] = ToCel(child, childSchema);
                }

                return map;
            case JsonArray array:
                return array.Select(item => ToCel(item, schema?.Items)).ToList();
        }

        var scalar = (JsonValue)value;
        return scalar.GetValueKind() switch
        {
            JsonValueKind.String => scalar.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when schema?.Type == "number" => Json.AsDouble(scalar),
            JsonValueKind.Number => (object?)Json.AsLong(scalar) ?? Json.AsDouble(scalar),
            _ => null,
        };
    }
}

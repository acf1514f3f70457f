using System.Text.Json;
using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Serialization;

/// <summary>Small helpers over System.Text.Json.Nodes shared by every layer.</summary>
internal static class Json
{
    // Relaxed escaping keeps quotes and '<' readable in kubectl output (last-applied-configuration), as Go's encoder does.
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = new JsonObject();
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? GetString(JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = current is JsonObject obj ? obj[segment] : null;
        }

        return current is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
    }

    public static IReadOnlyDictionary<string, string> StringMap(JsonNode? node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                result[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? string.Empty;
            }
        }

        return result;
    }

    public static IReadOnlyList<string> StringList(JsonNode? node) =>
        node is JsonArray array
            ? array.Select(item => item is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : item?.ToJsonString() ?? string.Empty).ToList()
            : [];

    public static JsonObject CloneObject(JsonObject obj) => (JsonObject)obj.DeepClone();

    /// <summary>Compares two objects ignoring the named top-level properties.</summary>
    public static bool EqualExcept(JsonObject left, JsonObject right, params string[] ignored)
    {
        var a = CloneObject(left);
        var b = CloneObject(right);
        foreach (var name in ignored)
        {
            a.Remove(name);
            b.Remove(name);
        }

        return JsonNode.DeepEquals(a, b);
    }

    public static string TypeName(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => IsInteger(node) ? "integer" : "number",
        _ => "unknown",
    };

    public static bool IsInteger(JsonNode? node)
    {
        if (AsLong(node) is not null)
        {
            return true;
        }

        // Go's decoder accepts 1.0 where an integer is expected, so the server does too.
        return AsDouble(node) is { } d && Math.Abs(d % 1) == 0 && d is >= long.MinValue and <= long.MaxValue;
    }

    // Values may be backed by a JsonElement or by a CLR primitive; the text form is the one representation both share.
    public static double? AsDouble(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public static long? AsLong(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var result)
            ? result
            : null;
}

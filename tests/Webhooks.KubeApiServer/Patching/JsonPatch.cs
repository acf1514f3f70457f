using System.Globalization;
using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Patching;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test) with RFC 6901 pointers.</summary>
internal static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonArray operations)
    {
        var root = new JsonObject { ["doc"] = document?.DeepClone() };
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation["op"]?.GetValue<string>() ?? throw new FormatException("missing op");
            var path = Pointer(operation["path"]?.GetValue<string>() ?? throw new FormatException($"missing path in {op}"));
            switch (op)
            {
                case "add":
                    Add(root, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                    var from = Pointer(operation["from"]?.GetValue<string>() ?? throw new FormatException("missing from"));
                    var moved = Remove(root, from);
                    Add(root, path, moved);
                    break;
                case "copy":
                    var source = Pointer(operation["from"]?.GetValue<string>() ?? throw new FormatException("missing from"));
                    Add(root, path, Resolve(root, source)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(root, path), operation["value"]))
                    {
                        throw new FormatException($"testing value {operation["path"]} failed");
                    }

                    break;
                default:
                    throw new FormatException($"Unexpected kind: {op}");
            }
        }

        return root["doc"]?.DeepClone();
    }

    private static List<string> Pointer(string pointer)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw new FormatException($"invalid JSON pointer {pointer}");
        }

        var segments = new List<string> { "doc" };
        if (pointer.Length > 0)
        {
            segments.AddRange(pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));
        }

        return segments;
    }

    private static JsonNode? Resolve(JsonNode root, List<string> path)
    {
        JsonNode? current = root;
        foreach (var segment in path)
        {
            current = current switch
            {
                JsonObject obj when obj.TryGetPropertyValue(segment, out var child) => child,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => throw new FormatException($"path /{string.Join('/', path.Skip(1))} does not exist"),
            };
        }

        return current;
    }

    private static void Add(JsonNode root, List<string> path, JsonNode? value)
    {
        var parent = Resolve(root, path[..^1]);
        var last = path[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw new FormatException($"cannot add at /{string.Join('/', path.Skip(1))}");
        }
    }

    private static JsonNode? Remove(JsonNode root, List<string> path)
    {
        var parent = Resolve(root, path[..^1]);
        var last = path[^1];
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out var existing):
                obj.Remove(last);
                return existing;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
                var item = array[index];
                array.RemoveAt(index);
                return item;
            default:
                throw new FormatException($"Unable to remove nonexistent key: /{string.Join('/', path.Skip(1))}: missing value");
        }
    }
}

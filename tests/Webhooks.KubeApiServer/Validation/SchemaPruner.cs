using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>
/// Drops fields the structural schema does not declare, as the API server does before storing a custom
/// resource, and reports their paths so strict field validation can refuse them instead.
/// </summary>
internal static class SchemaPruner
{
    private static readonly string[] ObjectEnvelope = ["apiVersion", "kind", "metadata"];

    public static IReadOnlyList<string> Prune(SchemaNode schema, JsonObject root)
    {
        var pruned = new List<string>();
        PruneObject(schema, root, FieldPath.Root, pruned, isResource: true);
        return pruned;
    }

    private static void Prune(SchemaNode schema, JsonNode? value, string path, List<string> pruned)
    {
        switch (value)
        {
            case JsonObject obj:
                PruneObject(schema, obj, path, pruned, schema.EmbeddedResource);
                break;
            case JsonArray array when schema.Items is not null:
                for (var i = 0; i < array.Count; i++)
                {
                    Prune(schema.Items, array[i], FieldPath.Index(path, i), pruned);
                }

                break;
        }
    }

    private static void PruneObject(SchemaNode schema, JsonObject obj, string path, List<string> pruned, bool isResource)
    {
        foreach (var (key, child) in obj.ToList())
        {
            var childPath = FieldPath.Child(path, key);
            if (isResource && ObjectEnvelope.Contains(key))
            {
                continue;
            }

            if (schema.Properties.TryGetValue(key, out var propertySchema))
            {
                Prune(propertySchema, child, childPath, pruned);
            }
            else if (schema.AdditionalProperties is { } valueSchema)
            {
                Prune(valueSchema, child, childPath, pruned);
            }
            else if (!schema.PreserveUnknownFields)
            {
                obj.Remove(key);
                pruned.Add(childPath);
            }
        }
    }
}

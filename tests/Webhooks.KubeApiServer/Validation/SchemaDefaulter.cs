using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>Applies schema <c>default</c>s to absent (or null, non-nullable) properties, top-down like the API server.</summary>
internal static class SchemaDefaulter
{
    public static void Apply(SchemaNode schema, JsonNode? value)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, propertySchema) in schema.Properties)
                {
                    var present = obj.TryGetPropertyValue(name, out var current);
                    if (propertySchema.Default is not null && (!present || (current is null && !propertySchema.Nullable)))
                    {
                        obj[name] = propertySchema.Default.DeepClone();
                    }
                }

                foreach (var (name, child) in obj.ToList())
                {
                    if (schema.Properties.TryGetValue(name, out var propertySchema))
                    {
                        Apply(propertySchema, child);
                    }
                    else if (schema.AdditionalProperties is { } valueSchema)
                    {
                        Apply(valueSchema, child);
                    }
                }

                break;
            case JsonArray array when schema.Items is not null:
                foreach (var item in array)
                {
                    Apply(schema.Items, item);
                }

                break;
        }
    }
}

using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.KubeApiServer.Validation;

namespace Webhooks.KubeApiServer.Resources;

/// <summary>
/// The per-kind rules of a built-in registry strategy: version conversion, field labels for field
/// selectors, and the normalisation done before an object is stored.
/// </summary>
internal class ResourceBehavior
{
    public static readonly ResourceBehavior Default = new();

    /// <summary>Converts a stored object into the shape of the served version.</summary>
    public virtual JsonObject FromStorage(JsonObject stored, ResourceDefinition served)
    {
        var copy = Json.CloneObject(stored);
        return WithTypeMeta(copy, served);
    }

    /// <summary>Converts an object of the served version into its stored shape.</summary>
    public virtual JsonObject ToStorage(JsonObject served, ResourceDefinition definition) => served;

    public virtual void PrepareForCreate(JsonObject obj)
    {
    }

    public virtual void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
    }

    public virtual IEnumerable<FieldError> Validate(JsonObject obj, JsonObject? old) => [];

    /// <summary>The value of a field label, or null when the label is not selectable for this kind.</summary>
    public virtual string? FieldValue(JsonObject obj, string label) => label switch
    {
        "metadata.name" => Json.GetString(obj, "metadata", "name") ?? string.Empty,
        "metadata.namespace" => Json.GetString(obj, "metadata", "namespace") ?? string.Empty,
        _ => null,
    };

    protected static JsonObject WithTypeMeta(JsonObject obj, ResourceDefinition served)
    {
        var result = new JsonObject { ["apiVersion"] = served.GroupVersion, ["kind"] = served.Kind };
        foreach (var (key, value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind")
            {
                continue;
            }

            obj.Remove(key);
            result[key] = value;
        }

        return result;
    }
}

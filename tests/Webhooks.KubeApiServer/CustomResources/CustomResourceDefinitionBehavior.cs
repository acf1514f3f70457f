using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Resources;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.KubeApiServer.Validation;

namespace Webhooks.KubeApiServer.CustomResources;

/// <summary>
/// CRDs are accepted and established at once: there is no naming controller, so the status the real
/// controllers would eventually write is written on every change.
/// </summary>
internal sealed class CustomResourceDefinitionBehavior : ResourceBehavior
{
    public override void PrepareForCreate(JsonObject obj) => Establish(obj);

    public override void PrepareForUpdate(JsonObject obj, JsonObject old) => Establish(obj);

    public override IEnumerable<FieldError> Validate(JsonObject obj, JsonObject? old)
    {
        var group = Json.GetString(obj, "spec", "group");
        var plural = Json.GetString(obj, "spec", "names", "plural");
        var name = Json.GetString(obj, "metadata", "name");
        if (group is null)
        {
            yield return new FieldError(FieldErrorType.Required, "spec.group", null, string.Empty);
        }

        if (plural is null)
        {
            yield return new FieldError(FieldErrorType.Required, "spec.names.plural", null, string.Empty);
        }

        if (Json.GetString(obj, "spec", "names", "kind") is null)
        {
            yield return new FieldError(FieldErrorType.Required, "spec.names.kind", null, string.Empty);
        }

        if (group is not null && plural is not null && name != $"{plural}.{group}")
        {
            yield return new FieldError(FieldErrorType.Invalid, "metadata.name", JsonValue.Create(name), "must be spec.names.plural+\".\"+spec.group");
        }

        var versions = (obj["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (versions.Count == 0)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.versions", new JsonArray(), "must have exactly one version marked as storage version");
        }
        else if (versions.Count(v => v["storage"]?.GetValueKind() == System.Text.Json.JsonValueKind.True) != 1)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec.versions", obj["spec"]?["versions"]?.DeepClone(), "must have exactly one version marked as storage version");
        }

        string? parseError = null;
        try
        {
            CrdParser.Parse(obj);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            parseError = exception.Message;
        }

        if (parseError is not null)
        {
            yield return new FieldError(FieldErrorType.Invalid, "spec", JsonValue.Create("object"), parseError);
        }
    }

    private static void Establish(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        spec["scope"] ??= "Namespaced";
        spec["conversion"] ??= new JsonObject { ["strategy"] = "None" };
        var storageVersions = (spec["versions"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(v => v["storage"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)
            .Select(v => (JsonNode?)JsonValue.Create(Json.GetString(v, "name")))
            .ToArray();
        obj["status"] = new JsonObject
        {
            ["acceptedNames"] = spec["names"]?.DeepClone(),
            ["conditions"] = new JsonArray(Condition("NamesAccepted", "NoConflicts", "no conflicts found"), Condition("Established", "InitialNamesAccepted", "the initial names have been accepted")),
            ["storedVersions"] = new JsonArray(storageVersions),
        };
    }

    private static JsonObject Condition(string type, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
    };
}

using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Resources.BuiltIn;

/// <summary>Namespaces start Active; their phase is server-owned.</summary>
internal sealed class NamespaceBehavior : ResourceBehavior
{
    public override void PrepareForCreate(JsonObject obj)
    {
        obj["status"] = new JsonObject { ["phase"] = "Active" };
        var metadata = Json.Metadata(obj);
        var labels = metadata["labels"] as JsonObject ?? new JsonObject();
        labels["kubernetes.io/metadata.name"] = Json.GetString(metadata, "name");
        metadata["labels"] = labels;
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old) =>
        obj["status"] = old["status"]?.DeepClone();

    public override string? FieldValue(JsonObject obj, string label) =>
        label == "status.phase" ? Json.GetString(obj, "status", "phase") ?? string.Empty : base.FieldValue(obj, label);
}

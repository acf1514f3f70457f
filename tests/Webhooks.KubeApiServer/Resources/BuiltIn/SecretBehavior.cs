using System.Text;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Resources.BuiltIn;

/// <summary>Secrets fold <c>stringData</c> into base64 <c>data</c> on write, as the real registry does.</summary>
internal sealed class SecretBehavior : ResourceBehavior
{
    public override void PrepareForCreate(JsonObject obj)
    {
        FoldStringData(obj);
        obj["type"] ??= "Opaque";
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        FoldStringData(obj);
        obj["type"] ??= old["type"]?.DeepClone() ?? "Opaque";
    }

    public override string? FieldValue(JsonObject obj, string label) =>
        label == "type" ? Json.GetString(obj, "type") ?? string.Empty : base.FieldValue(obj, label);

    private static void FoldStringData(JsonObject obj)
    {
        if (obj["stringData"] is not JsonObject stringData)
        {
            obj.Remove("stringData");
            return;
        }

        if (obj["data"] is not JsonObject data)
        {
            data = new JsonObject();
            obj["data"] = data;
        }

        foreach (var (key, value) in Json.StringMap(stringData))
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        obj.Remove("stringData");
    }
}

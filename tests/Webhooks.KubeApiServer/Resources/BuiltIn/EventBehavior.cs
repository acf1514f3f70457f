using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Resources.BuiltIn;

/// <summary>
/// Events are stored in their core/v1 shape. events.k8s.io/v1 is served from the same storage with the
/// field renames of the real conversion, so an event recorded through either API shows up in
/// <c>kubectl describe</c>.
/// </summary>
internal sealed class EventBehavior(bool eventsApi) : ResourceBehavior
{
    // (core/v1 name, events.k8s.io/v1 name)
    private static readonly (string Core, string Events)[] RenamedFields =
    [
        ("involvedObject", "regarding"),
        ("message", "note"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
        ("reportingComponent", "reportingController"),
    ];

    private static readonly string[] ObjectFields = ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"];

    public override JsonObject FromStorage(JsonObject stored, ResourceDefinition served)
    {
        var copy = Json.CloneObject(stored);
        if (eventsApi)
        {
            Rename(copy, toEventsApi: true);
        }

        return WithTypeMeta(copy, served);
    }

    public override JsonObject ToStorage(JsonObject served, ResourceDefinition definition)
    {
        if (eventsApi)
        {
            Rename(served, toEventsApi: false);
        }

        served["apiVersion"] = "v1";
        served["kind"] = "Event";
        return served;
    }

    public override string? FieldValue(JsonObject obj, string label)
    {
        var involved = obj["involvedObject"] ?? obj["regarding"];
        foreach (var field in ObjectFields)
        {
            if (label == $"involvedObject.{field}" || label == $"regarding.{field}")
            {
                return Json.GetString(involved, field) ?? string.Empty;
            }
        }

        return label switch
        {
            "reason" or "type" => Json.GetString(obj, label) ?? string.Empty,
            "reportingComponent" or "reportingController" => Json.GetString(obj, "reportingComponent") ?? Json.GetString(obj, "reportingController") ?? string.Empty,
            "source" => Json.GetString(obj, "source", "component") ?? Json.GetString(obj, "deprecatedSource", "component") ?? string.Empty,
            _ => base.FieldValue(obj, label),
        };
    }

    private static void Rename(JsonObject obj, bool toEventsApi)
    {
        foreach (var (core, events) in RenamedFields)
        {
            var (from, to) = toEventsApi ? (core, events) : (events, core);
            if (obj.TryGetPropertyValue(from, out var value))
            {
                obj.Remove(from);
                obj[to] = value;
            }
        }
    }
}

using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.CustomResources;
using Webhooks.KubeApiServer.Printing;
using Webhooks.KubeApiServer.Resources.BuiltIn;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Resources;

/// <summary>The built-in resources an operator touches: namespaces, secrets, events, leases and CRDs.</summary>
internal static class BuiltInResources
{
    public const string CustomResourceDefinitionsKey = "apiextensions.k8s.io/customresourcedefinitions";
    public const string NamespacesKey = "core/namespaces";

    public static IReadOnlyList<ResourceDefinition> Create() =>
    [
        new()
        {
            Group = string.Empty,
            Version = "v1",
            Plural = "namespaces",
            Singular = "namespace",
            Kind = "Namespace",
            Namespaced = false,
            StorageKey = NamespacesKey,
            ShortNames = ["ns"],
            HasStatusSubresource = true,
            Behavior = new NamespaceBehavior(),
            Columns = [TableConverter.NameColumn, Column("Status", "string", obj => obj["status"]?["phase"]), PrinterColumn.Age],
        },
        new()
        {
            Group = string.Empty,
            Version = "v1",
            Plural = "secrets",
            Singular = "secret",
            Kind = "Secret",
            Namespaced = true,
            StorageKey = "core/secrets",
            Behavior = new SecretBehavior(),
            Columns =
            [
                TableConverter.NameColumn,
                Column("Type", "string", obj => obj["type"]),
                Column("Data", "integer", obj => JsonValue.Create((obj["data"] as JsonObject)?.Count ?? 0)),
                PrinterColumn.Age,
            ],
        },
        Events(string.Empty, eventsApi: false),
        Events("events.k8s.io", eventsApi: true),
        new()
        {
            Group = "coordination.k8s.io",
            Version = "v1",
            Plural = "leases",
            Singular = "lease",
            Kind = "Lease",
            Namespaced = true,
            StorageKey = "coordination.k8s.io/leases",
            AllowCreateOnUpdate = true,
            Columns = [TableConverter.NameColumn, Column("Holder", "string", obj => obj["spec"]?["holderIdentity"]), PrinterColumn.Age],
        },
        new()
        {
            Group = "apiextensions.k8s.io",
            Version = "v1",
            Plural = "customresourcedefinitions",
            Singular = "customresourcedefinition",
            Kind = "CustomResourceDefinition",
            Namespaced = false,
            StorageKey = CustomResourceDefinitionsKey,
            ShortNames = ["crd", "crds"],
            Categories = ["api-extensions"],
            HasStatusSubresource = true,
            TracksGeneration = true,
            Behavior = new CustomResourceDefinitionBehavior(),
            Columns = [TableConverter.NameColumn, Column("Created At", "string", obj => obj["metadata"]?["creationTimestamp"])],
        },
    ];

    private static ResourceDefinition Events(string group, bool eventsApi) => new()
    {
        Group = group,
        Version = "v1",
        Plural = "events",
        Singular = "event",
        Kind = "Event",
        Namespaced = true,
        StorageKey = "core/events",
        ShortNames = eventsApi ? [] : ["ev"],
        AllowCreateOnUpdate = true,
        Behavior = new EventBehavior(eventsApi),
        Columns =
        [
            Column("Last Seen", "date", obj => obj["series"]?["lastObservedTime"] ?? obj["lastTimestamp"] ?? obj["deprecatedLastTimestamp"] ?? obj["eventTime"]),
            Column("Type", "string", obj => obj["type"]),
            Column("Reason", "string", obj => obj["reason"]),
            Column("Object", "string", obj => InvolvedObject(obj)),
            Column("Subobject", "string", obj => (obj["involvedObject"] ?? obj["regarding"])?["fieldPath"] ?? JsonValue.Create(string.Empty), priority: 1),
            Column("Source", "string", obj => obj["source"]?["component"] ?? obj["reportingComponent"] ?? obj["reportingController"], priority: 1),
            Column("Message", "string", obj => obj["message"] ?? obj["note"]),
            Column("First Seen", "date", obj => obj["firstTimestamp"] ?? obj["deprecatedFirstTimestamp"] ?? obj["eventTime"], priority: 1),
            Column("Count", "integer", obj => obj["count"] ?? obj["deprecatedCount"] ?? obj["series"]?["count"], priority: 1),
            Column("Name", "string", obj => obj["metadata"]?["name"], priority: 1),
        ],
    };

    private static JsonNode InvolvedObject(JsonObject obj)
    {
        var involved = obj["involvedObject"] ?? obj["regarding"];
        var kind = Json.GetString(involved, "kind") ?? string.Empty;
        return JsonValue.Create($"{kind.ToLowerInvariant()}/{Json.GetString(involved, "name")}");
    }

    private static PrinterColumn Column(string name, string type, Func<JsonObject, JsonNode?> value, int priority = 0) =>
        new(name, type, string.Empty, string.Empty, priority, obj => value(obj)?.DeepClone());
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>One <c>x-kubernetes-validations</c> entry.</summary>
internal sealed record ValidationRule(string Rule, string? Message, string? MessageExpression, string? FieldPath, string? Reason)
{
    /// <summary>Transition rules need the previous object, which this server does not correlate.</summary>
    public bool IsTransitionRule => Regex.IsMatch(Rule, @"\boldSelf\b");
}

/// <summary>The structural OpenAPI v3 schema subset a CRD may declare, parsed once per CRD version.</summary>
internal sealed class SchemaNode
{
    public string? Type { get; private init; }

    public IReadOnlyDictionary<string, SchemaNode> Properties { get; private init; } = new Dictionary<string, SchemaNode>();

    public SchemaNode? Items { get; private init; }

    public SchemaNode? AdditionalProperties { get; private init; }

    public IReadOnlyList<string> Required { get; private init; } = [];

    public IReadOnlyList<JsonNode?>? Enum { get; private init; }

    public string? Pattern { get; private init; }

    public Regex? PatternRegex { get; private init; }

    public double? Minimum { get; private init; }

    public double? Maximum { get; private init; }

    public bool ExclusiveMinimum { get; private init; }

    public bool ExclusiveMaximum { get; private init; }

    public long? MinLength { get; private init; }

    public long? MaxLength { get; private init; }

    public long? MinItems { get; private init; }

    public long? MaxItems { get; private init; }

    public long? MinProperties { get; private init; }

    public long? MaxProperties { get; private init; }

    public bool UniqueItems { get; private init; }

    /// <summary><c>x-kubernetes-list-type</c>: <c>set</c> and <c>map</c> lists reject duplicates, as the API server does.</summary>
    public string? ListType { get; private init; }

    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];

    public string? Format { get; private init; }

    public JsonNode? Default { get; private init; }

    public bool Nullable { get; private init; }

    public bool PreserveUnknownFields { get; private init; }

    public bool IntOrString { get; private init; }

    public bool EmbeddedResource { get; private init; }

    public IReadOnlyList<SchemaNode> AllOf { get; private init; } = [];

    public IReadOnlyList<ValidationRule> Rules { get; private init; } = [];

    /// <summary>True when unknown object keys must be kept instead of pruned.</summary>
    public bool KeepsUnknownFields => PreserveUnknownFields || AdditionalProperties is not null;

    public static SchemaNode Parse(JsonObject schema)
    {
        var pattern = Json.GetString(schema, "pattern");
        var additional = schema["additionalProperties"];
        return new SchemaNode
        {
            Type = Json.GetString(schema, "type"),
            Properties = schema["properties"] is JsonObject properties
                ? properties.Where(p => p.Value is JsonObject).ToDictionary(p => p.Key, p => Parse((JsonObject)p.Value!), StringComparer.Ordinal)
                : new Dictionary<string, SchemaNode>(),
            Items = schema["items"] is JsonObject items ? Parse(items) : null,
            AdditionalProperties = additional switch
            {
                JsonObject additionalSchema => Parse(additionalSchema),
                JsonValue flag when flag.GetValueKind() == System.Text.Json.JsonValueKind.True => new SchemaNode { PreserveUnknownFields = true },
                _ => null,
            },
            Required = Json.StringList(schema["required"]),
            Enum = schema["enum"] is JsonArray values ? values.Select(v => v?.DeepClone()).ToList() : null,
            Pattern = pattern,
            PatternRegex = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant),
            Minimum = Json.AsDouble(schema["minimum"]),
            Maximum = Json.AsDouble(schema["maximum"]),
            ExclusiveMinimum = Flag(schema, "exclusiveMinimum"),
            ExclusiveMaximum = Flag(schema, "exclusiveMaximum"),
            MinLength = Json.AsLong(schema["minLength"]),
            MaxLength = Json.AsLong(schema["maxLength"]),
            MinItems = Json.AsLong(schema["minItems"]),
            MaxItems = Json.AsLong(schema["maxItems"]),
            MinProperties = Json.AsLong(schema["minProperties"]),
            MaxProperties = Json.AsLong(schema["maxProperties"]),
            UniqueItems = Flag(schema, "uniqueItems"),
            ListType = Json.GetString(schema, "x-kubernetes-list-type"),
            ListMapKeys = Json.StringList(schema["x-kubernetes-list-map-keys"]),
            Format = Json.GetString(schema, "format"),
            Default = schema["default"]?.DeepClone(),
            Nullable = Flag(schema, "nullable"),
            PreserveUnknownFields = Flag(schema, "x-kubernetes-preserve-unknown-fields"),
            IntOrString = Flag(schema, "x-kubernetes-int-or-string"),
            EmbeddedResource = Flag(schema, "x-kubernetes-embedded-resource"),
            AllOf = schema["allOf"] is JsonArray allOf ? allOf.OfType<JsonObject>().Select(Parse).ToList() : [],
            Rules = schema["x-kubernetes-validations"] is JsonArray rules
                ? rules.OfType<JsonObject>().Select(r => new ValidationRule(
                    Json.GetString(r, "rule") ?? "true",
                    Json.GetString(r, "message"),
                    Json.GetString(r, "messageExpression"),
                    Json.GetString(r, "fieldPath"),
                    Json.GetString(r, "reason"))).ToList()
                : [],
        };
    }

    private static bool Flag(JsonObject schema, string name) =>
        schema[name] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.True;
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>
/// Validates a value against a structural schema, producing the field errors (paths, reasons and
/// texts) that kube-openapi's validator produces once the API server has converted them.
/// </summary>
internal static class SchemaValidator
{
    public static void Validate(SchemaNode schema, JsonNode? value, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            if (!schema.Nullable && (schema.Type is not null || schema.IntOrString))
            {
                var expected = schema.IntOrString ? "integer,string" : schema.Type!;
                errors.Add(new FieldError(FieldErrorType.TypeInvalid, FieldPath.Display(path), null, $"{InBody(path)} must be of type {expected}"));
            }

            return;
        }

        if (!HasValidType(schema, value))
        {
            var actual = Json.TypeName(value);
            errors.Add(new FieldError(FieldErrorType.TypeInvalid, FieldPath.Display(path), JsonValue.Create(actual), $"{InBody(path)} must be of type {schema.Type}: {FieldError.Quote(actual)}"));
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                ValidateObject(schema, obj, path, errors);
                break;
            case JsonArray array:
                ValidateArray(schema, array, path, errors);
                break;
            default:
                ValidateScalar(schema, (JsonValue)value, path, errors);
                break;
        }

        if (schema.Enum is { } allowed && !allowed.Any(candidate => JsonNode.DeepEquals(candidate, value)))
        {
            var supported = string.Join(", ", allowed.Select(candidate => FieldError.Quote(candidate is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : candidate?.ToJsonString() ?? "<nil>")));
            errors.Add(new FieldError(FieldErrorType.NotSupported, FieldPath.Display(path), value, $"supported values: {supported}"));
        }

        foreach (var part in schema.AllOf)
        {
            Validate(part, value, path, errors);
        }
    }

    private static bool HasValidType(SchemaNode schema, JsonNode value)
    {
        var kind = value.GetValueKind();
        if (schema.IntOrString)
        {
            return kind == JsonValueKind.String || Json.IsInteger(value);
        }

        return schema.Type switch
        {
            null => true,
            "object" => kind == JsonValueKind.Object,
            "array" => kind == JsonValueKind.Array,
            "string" => kind == JsonValueKind.String,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "integer" => Json.IsInteger(value),
            "number" => kind == JsonValueKind.Number,
            _ => true,
        };
    }

    private static void ValidateObject(SchemaNode schema, JsonObject obj, string path, List<FieldError> errors)
    {
        foreach (var name in schema.Required)
        {
            if (!obj.ContainsKey(name))
            {
                errors.Add(new FieldError(FieldErrorType.Required, FieldPath.Child(path, name), null, string.Empty));
            }
        }

        if (schema.MinProperties is { } minProperties && obj.Count < minProperties)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, FieldPath.Display(path), JsonValue.Create(obj.Count), $"{InBody(path)} should have at least {minProperties} properties"));
        }

        if (schema.MaxProperties is { } maxProperties && obj.Count > maxProperties)
        {
            errors.Add(new FieldError(FieldErrorType.TooMany, FieldPath.Display(path), JsonValue.Create(obj.Count), $"must have at most {maxProperties} items"));
        }

        foreach (var (name, child) in obj)
        {
            if (path.Length == 0 && name is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if (schema.Properties.TryGetValue(name, out var propertySchema))
            {
                Validate(propertySchema, child, FieldPath.Child(path, name), errors);
            }
            else if (schema.AdditionalProperties is { } valueSchema)
            {
                Validate(valueSchema, child, FieldPath.Child(path, name), errors);
            }
        }
    }

    private static void ValidateArray(SchemaNode schema, JsonArray array, string path, List<FieldError> errors)
    {
        if (schema.MinItems is { } minItems && array.Count < minItems)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, FieldPath.Display(path), JsonValue.Create(array.Count), $"{InBody(path)} should have at least {minItems} items"));
        }

        if (schema.MaxItems is { } maxItems && array.Count > maxItems)
        {
            errors.Add(new FieldError(FieldErrorType.TooMany, FieldPath.Display(path), JsonValue.Create(array.Count), $"must have at most {maxItems} items"));
        }

        if (schema.UniqueItems && array.Select((item, i) => array.Take(i).Any(previous => JsonNode.DeepEquals(previous, item))).Any(duplicate => duplicate))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, FieldPath.Display(path), array, $"{InBody(path)} shouldn't contain duplicates"));
        }

        if (schema.ListType is "set" or "map")
        {
            // Keyed like the API server: whole items for sets, the map keys for maps.
            JsonNode? Key(JsonNode? item) => schema.ListType == "set" || item is not JsonObject entry
                ? item
                : new JsonArray([.. schema.ListMapKeys.Select(k => entry[k]?.DeepClone())]);
            for (var i = 0; i < array.Count; i++)
            {
                if (array.Take(i).Any(previous => JsonNode.DeepEquals(Key(previous), Key(array[i]))))
                {
                    errors.Add(new FieldError(FieldErrorType.Duplicate, FieldPath.Display(FieldPath.Index(path, i)), Key(array[i])?.DeepClone(), string.Empty));
                }
            }
        }

        if (schema.Items is { } itemSchema)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Validate(itemSchema, array[i], FieldPath.Index(path, i), errors);
            }
        }
    }

    private static void ValidateScalar(SchemaNode schema, JsonValue value, string path, List<FieldError> errors)
    {
        var field = FieldPath.Display(path);
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var length = text.EnumerateRunes().Count();
            if (schema.MaxLength is { } maxLength && length > maxLength)
            {
                errors.Add(new FieldError(FieldErrorType.TooLong, field, value, $"may not be more than {maxLength} bytes"));
            }

            if (schema.MinLength is { } minLength && length < minLength)
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, field, value, $"{InBody(path)} should be at least {minLength} chars long"));
            }

            if (schema.PatternRegex is { } pattern && !pattern.IsMatch(text))
            {
                errors.Add(new FieldError(FieldErrorType.Invalid, field, value, $"{InBody(path)} should match '{schema.Pattern}'"));
            }

            if (schema.Format is { } format && !FormatChecker.IsValid(format, text))
            {
                errors.Add(new FieldError(FieldErrorType.TypeInvalid, field, value, $"{InBody(path)} must be of type {format}: {FieldError.Quote(text)}"));
            }
        }

        if (Json.AsDouble(value) is { } number)
        {
            if (schema.Minimum is { } minimum && (schema.ExclusiveMinimum ? number <= minimum : number < minimum))
            {
                var relation = schema.ExclusiveMinimum ? "greater than" : "greater than or equal to";
                errors.Add(new FieldError(FieldErrorType.Invalid, field, value, $"{InBody(path)} should be {relation} {minimum.ToString(CultureInfo.InvariantCulture)}"));
            }

            if (schema.Maximum is { } maximum && (schema.ExclusiveMaximum ? number >= maximum : number > maximum))
            {
                var relation = schema.ExclusiveMaximum ? "less than" : "less than or equal to";
                errors.Add(new FieldError(FieldErrorType.Invalid, field, value, $"{InBody(path)} should be {relation} {maximum.ToString(CultureInfo.InvariantCulture)}"));
            }
        }
    }

    private static string InBody(string path) => $"{path} in body";
}

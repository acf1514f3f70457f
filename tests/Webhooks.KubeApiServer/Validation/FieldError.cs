using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>The error kinds of k8s.io/apimachinery/pkg/util/validation/field with their wire reason and display text.</summary>
internal sealed record FieldErrorType(string Reason, string Display, bool ShowsValue)
{
    public static readonly FieldErrorType Required = new("FieldValueRequired", "Required value", false);
    public static readonly FieldErrorType Invalid = new("FieldValueInvalid", "Invalid value", true);
    public static readonly FieldErrorType TypeInvalid = new("FieldValueTypeInvalid", "Invalid value", true);
    public static readonly FieldErrorType NotSupported = new("FieldValueNotSupported", "Unsupported value", true);
    public static readonly FieldErrorType Forbidden = new("FieldValueForbidden", "Forbidden", false);
    public static readonly FieldErrorType Duplicate = new("FieldValueDuplicate", "Duplicate value", true);
    public static readonly FieldErrorType TooLong = new("FieldValueTooLong", "Too long", false);
    public static readonly FieldErrorType TooMany = new("FieldValueTooMany", "Too many", true);

    public static FieldErrorType? FromReason(string reason) =>
        new[] { Required, Invalid, NotSupported, Forbidden, Duplicate }.FirstOrDefault(t => t.Reason == reason);
}

/// <summary>One validation failure, rendered exactly as field.Error renders it.</summary>
internal sealed record FieldError(FieldErrorType Type, string Field, JsonNode? Value, string Detail)
{
    public string Body
    {
        get
        {
            var text = Type.ShowsValue ? $"{Type.Display}: {FormatValue(Value)}" : Type.Display;
            return Detail.Length > 0 ? $"{text}: {Detail}" : text;
        }
    }

    public override string ToString() => $"{Field}: {Body}";

    /// <summary>Formats a value as Go's %v / %q would for the value kinds JSON can hold.</summary>
    public static string FormatValue(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "\"null\"",
        JsonValueKind.String => Quote(value.GetValue<string>()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.ToJsonString(),
        _ => value.ToJsonString(),
    };

    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}

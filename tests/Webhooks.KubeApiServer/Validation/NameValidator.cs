using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>The object name rules of apimachinery's ValidateObjectMeta, with their exact messages.</summary>
internal static partial class NameValidator
{
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    public static IEnumerable<FieldError> Validate(string name, bool asLabel)
    {
        var value = JsonValue.Create(name);
        if (asLabel)
        {
            if (name.Length > 63)
            {
                yield return new FieldError(FieldErrorType.Invalid, "metadata.name", value, "must be no more than 63 characters");
            }

            if (!Label().IsMatch(name))
            {
                yield return new FieldError(FieldErrorType.Invalid, "metadata.name", value, LabelMessage);
            }

            yield break;
        }

        if (name.Length > 253)
        {
            yield return new FieldError(FieldErrorType.Invalid, "metadata.name", value, "must be no more than 253 characters");
        }

        if (!Subdomain().IsMatch(name))
        {
            yield return new FieldError(FieldErrorType.Invalid, "metadata.name", value, SubdomainMessage);
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();
}

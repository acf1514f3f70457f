using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Resources;
using Webhooks.KubeApiServer.Validation;

namespace Webhooks.KubeApiServer.Errors;

/// <summary>
/// Builds the <c>Status</c> bodies of k8s.io/apimachinery/pkg/api/errors, keeping their messages,
/// reasons and details verbatim because clients (kubectl, controller retry logic) match on them.
/// </summary>
internal static class StatusErrors
{
    public static ApiException NotFound(ResourceDefinition resource, string name) =>
        NotFound(resource.Group, resource.Plural, name);

    public static ApiException NotFound(string group, string plural, string name) =>
        Failure(404, "NotFound", $"{Qualified(plural, group)} \"{name}\" not found", Details(name, group, plural));

    public static ApiException AlreadyExists(ResourceDefinition resource, string name) =>
        Failure(409, "AlreadyExists", $"{resource.QualifiedResource} \"{name}\" already exists", Details(name, resource.Group, resource.Plural));

    public static ApiException Conflict(ResourceDefinition resource, string name, string detail) =>
        Failure(409, "Conflict", $"Operation cannot be fulfilled on {resource.QualifiedResource} \"{name}\": {detail}", Details(name, resource.Group, resource.Plural));

    public static ApiException StaleResourceVersion(ResourceDefinition resource, string name) =>
        Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(ResourceDefinition resource, string name, IReadOnlyList<FieldError> errors)
    {
        var aggregate = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors.Select(e => e.ToString()))}]";
        var details = Details(name, resource.Group, resource.Kind);
        details["causes"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject
        {
            ["reason"] = e.Type.Reason,
            ["message"] = e.Body,
            ["field"] = e.Field,
        }).ToArray());
        return Failure(422, "Invalid", $"{resource.QualifiedKind} \"{name}\" is invalid: {aggregate}", details);
    }

    public static ApiException BadRequest(string message) => Failure(400, "BadRequest", message, null);

    public static ApiException MethodNotSupported(ResourceDefinition resource, string verb) =>
        Failure(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{resource.QualifiedResource}\"", new JsonObject { ["group"] = resource.Group, ["kind"] = resource.Plural });

    public static ApiException UnsupportedMediaType(string contentType) =>
        Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "UnsupportedMediaType", ["message"] = contentType }) });

    public static ApiException PathNotFound() => Failure(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException Expired(string message) => Failure(410, "Expired", message, null);

    public static ApiException Internal(string message) =>
        Failure(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    public static JsonObject Success(ResourceDefinition resource, string name, string? uid)
    {
        var details = Details(name, resource.Group, resource.Plural);
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    private static string Qualified(string plural, string group) => group.Length == 0 ? plural : $"{plural}.{group}";

    private static JsonObject Details(string name, string group, string kind)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        return details;
    }

    private static ApiException Failure(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return new ApiException(status);
    }
}

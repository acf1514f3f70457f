using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Webhooks.KubeApiServer.Errors;
using Webhooks.KubeApiServer.Serialization;

namespace Webhooks.KubeApiServer.Http;

/// <summary>Reading request bodies and query options, and writing JSON answers.</summary>
internal static class HttpExchange
{
    public static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = MediaTypes.Json;
        await context.Response.WriteAsync(body.ToJsonString(Json.Compact), Encoding.UTF8, context.RequestAborted);
    }

    public static Task WriteStatusAsync(HttpContext context, ApiException error) =>
        WriteJsonAsync(context, error.Code, error.Status);

    public static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    /// <summary>Decodes a JSON, YAML or (for a few built-in kinds) protobuf object body.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpContext context, bool optional = false)
    {
        var contentType = MediaTypes.Essence(context.Request.ContentType);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length == 0)
        {
            return optional ? null : throw StatusErrors.BadRequest("the request body is empty");
        }

        if (contentType == MediaTypes.Protobuf)
        {
            return ProtobufDecoder.Decode(buffer.ToArray()) ?? throw StatusErrors.UnsupportedMediaType(contentType);
        }

        if (contentType.Contains("cbor", StringComparison.Ordinal))
        {
            throw StatusErrors.UnsupportedMediaType(contentType);
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        try
        {
            var node = contentType.EndsWith("yaml", StringComparison.Ordinal) ? YamlJsonConverter.ParseSingle(text) : JsonNode.Parse(text);
            return node as JsonObject ?? throw StatusErrors.BadRequest("the request body is not an object");
        }
        catch (Exception exception) when (exception is JsonException or FormatException or YamlDotNet.Core.YamlException)
        {
            throw StatusErrors.BadRequest($"error decoding request body: {exception.Message}");
        }
    }

    public static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    public static bool QueryFlag(HttpContext context, string name) => Query(context, name) is "true" or "1";

    public static int? QueryInt(HttpContext context, string name) =>
        int.TryParse(Query(context, name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}

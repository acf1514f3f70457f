using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Errors;

/// <summary>A failure that reaches the client as a <c>Status</c> object with the given HTTP code.</summary>
internal sealed class ApiException(JsonObject status) : Exception(status["message"]?.GetValue<string>())
{
    public JsonObject Status { get; } = status;

    public int Code => Status["code"]!.GetValue<int>();
}

using System.Text.Encodings.Web;
using System.Text.Json;

namespace Webhooks.KubeApiServer.Tests.Support;

/// <summary>Serializer options that leave quotes unescaped, so expected JSON reads like the wire.</summary>
public static class TestJson
{
    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

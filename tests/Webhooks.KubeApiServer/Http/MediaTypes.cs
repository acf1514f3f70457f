using Webhooks.KubeApiServer.Printing;

namespace Webhooks.KubeApiServer.Http;

/// <summary>Content negotiation: JSON everywhere, and Table when kubectl asks for server-side printing.</summary>
internal static class MediaTypes
{
    public const string Json = "application/json";
    public const string Protobuf = "application/vnd.kubernetes.protobuf";

    public static bool WantsTable(string? accept)
    {
        if (string.IsNullOrEmpty(accept))
        {
            return false;
        }

        // kubectl lists the Table variants first, then plain JSON as fallback; honour the first acceptable one.
        foreach (var candidate in accept.Split(',', StringSplitOptions.TrimEntries))
        {
            var parameters = candidate.Split(';', StringSplitOptions.TrimEntries);
            var isTable = parameters.Contains("as=Table") && parameters.Contains("g=meta.k8s.io") && (parameters.Contains("v=v1") || parameters.Contains("v=v1beta1"));
            if (isTable)
            {
                return true;
            }

            if (parameters[0] is Json or "*/*" or "application/*")
            {
                return false;
            }
        }

        return false;
    }

    public static IncludeObject ParseIncludeObject(string? value) => value switch
    {
        "Object" => IncludeObject.Object,
        "None" => IncludeObject.None,
        _ => IncludeObject.Metadata,
    };

    /// <summary>The media type without parameters such as <c>charset</c>.</summary>
    public static string Essence(string? contentType) =>
        (contentType ?? string.Empty).Split(';', 2)[0].Trim().ToLowerInvariant();
}

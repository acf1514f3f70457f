using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Patching;

/// <summary>
/// Strategic merge patch for the built-in kinds served here, none of which has a list that needs a
/// merge key in practice: the patch is applied as a JSON merge patch once the <c>$</c>-directives
/// (<c>$setElementOrder</c>, <c>$retainKeys</c>, <c>$patch</c>) kubectl adds are removed.
/// </summary>
internal static class StrategicMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => JsonMergePatch.Apply(target, StripDirectives(patch));

    private static JsonNode? StripDirectives(JsonNode? patch)
    {
        switch (patch)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (!key.StartsWith('$'))
                    {
                        result[key] = StripDirectives(value);
                    }
                }

                return result;
            case JsonArray array:
                return new JsonArray(array.Select(StripDirectives).ToArray());
            default:
                return patch?.DeepClone();
        }
    }
}

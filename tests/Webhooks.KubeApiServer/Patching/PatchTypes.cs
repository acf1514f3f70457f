namespace Webhooks.KubeApiServer.Patching;

/// <summary>The PATCH media types the API server understands.</summary>
internal static class PatchTypes
{
    public const string Json = "application/json-patch+json";
    public const string Merge = "application/merge-patch+json";
    public const string Strategic = "application/strategic-merge-patch+json";
    public const string Apply = "application/apply-patch+yaml";
}

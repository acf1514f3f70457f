using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Api;

/// <summary>One page of a list, in the served version, with the revision it was read at.</summary>
internal sealed record ListResult(IReadOnlyList<JsonObject> Items, long Revision, string? Continue, long? RemainingItemCount);

using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Watch;

/// <summary>
/// A change as recorded in the history: objects are in storage shape and never mutated once
/// published. <see cref="Previous"/> lets a filtered watch turn updates into ADDED/DELETED when an
/// object enters or leaves its selector, as the watch cache does.
/// </summary>
internal sealed record WatchEvent(string Type, string StorageKey, JsonObject Object, JsonObject? Previous, long Revision)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";
}

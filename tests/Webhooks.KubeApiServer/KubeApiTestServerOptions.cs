namespace Webhooks.KubeApiServer;

/// <summary>Settings for <see cref="KubeApiTestServer"/>; the defaults suit most tests.</summary>
public sealed class KubeApiTestServerOptions
{
    /// <summary>Clock for creation and deletion timestamps, ages in tables, bookmarks and watch timeouts.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> receives a BOOKMARK.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many events the watch history keeps; a watch from an older resourceVersion gets 410 Gone.</summary>
    public int WatchHistoryLimit { get; init; } = 1000;

    /// <summary>Namespaces that exist from the start.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>CRD manifests (YAML, several documents allowed) registered at start-up.</summary>
    public IReadOnlyList<string> CustomResourceDefinitionFiles { get; init; } = [];
}

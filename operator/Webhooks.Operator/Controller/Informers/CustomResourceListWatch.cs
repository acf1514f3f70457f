using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Webhooks.Operator.Controller.Informers;

/// <summary>
/// Lists and watches a custom resource with typed results. KubernetesClient's custom-object watch
/// yields <see cref="JsonElement"/>s; they are converted here with the client's own serializer
/// settings (the typed <c>WatcherExt.WatchAsync</c> overload is obsolete).
/// </summary>
public sealed class CustomResourceListWatch<T, TList>(IKubernetes client, string group, string version, string plural) : IListWatch<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    public async Task<ListPage<T>> ListAsync(string? @namespace, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var list = @namespace is null
            ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<TList>(
                group, version, plural, continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync<TList>(
                group, version, @namespace, plural, continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken);
        return new ListPage<T>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string? @namespace,
        string resourceVersion,
        int timeoutSeconds,
        Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = @namespace is null
            ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
                group, version, plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken)
            : client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                group, version, @namespace, plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events.WithCancellation(cancellationToken))
        {
            yield return (type, KubernetesJson.Deserialize<T>((JsonElement)item));
        }
    }
}

using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;

namespace Webhooks.Operator.Controller.Informers;

/// <summary>Lists and watches core/v1 Secrets.</summary>
public sealed class SecretListWatch(IKubernetes client) : IListWatch<V1Secret>
{
    public async Task<ListPage<V1Secret>> ListAsync(string? @namespace, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var list = @namespace is null
            ? await client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken)
            : await client.CoreV1.ListNamespacedSecretAsync(@namespace, continueParameter: continueToken, limit: limit, cancellationToken: cancellationToken);
        return new ListPage<V1Secret>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
    }

    public async IAsyncEnumerable<(WatchEventType Type, V1Secret Object)> WatchAsync(
        string? @namespace,
        string resourceVersion,
        int timeoutSeconds,
        Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = @namespace is null
            ? client.CoreV1.WatchListSecretForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken)
            : client.CoreV1.WatchListNamespacedSecretAsync(
                @namespace, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                onError: onError, cancellationToken: cancellationToken);
        await foreach (var item in events.WithCancellation(cancellationToken))
        {
            yield return item;
        }
    }
}

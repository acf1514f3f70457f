using k8s;
using k8s.Models;

namespace Webhooks.Operator.Controller.Informers;

/// <summary>
/// The two API calls an <see cref="Informer{T}"/> needs for one kind, so one informer serves
/// custom resources and built-in kinds alike and tests can interpose on the calls.
/// </summary>
public interface IListWatch<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Lists one page; <paramref name="namespace"/> <c>null</c> lists every namespace.</summary>
    Task<ListPage<T>> ListAsync(string? @namespace, int limit, string? continueToken, CancellationToken cancellationToken);

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> with bookmarks. The server ends the stream
    /// after <paramref name="timeoutSeconds"/>. ERROR events (such as 410 Expired) and undecodable
    /// lines are not yielded: they go to <paramref name="onError"/>.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string? @namespace,
        string resourceVersion,
        int timeoutSeconds,
        Action<Exception> onError,
        CancellationToken cancellationToken);
}

/// <summary>One page of a list and the resourceVersion to watch from once every page is read.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, string ResourceVersion, string? ContinueToken);

namespace Webhooks.Operator.Controller.Informers;

/// <summary>
/// Callbacks for an <see cref="Informer{T}"/>'s cache changes. They run one at a time, in the order
/// the changes were applied, and must be quick (enqueue a key, no I/O); the objects are shared with
/// the cache and must not be modified.
/// </summary>
public sealed class InformerEventHandler<T>
{
    public Action<T>? OnAdd { get; init; }

    /// <summary>Called with the cached object and its replacement.</summary>
    public Action<T, T>? OnUpdate { get; init; }

    /// <summary>Called with the last state the informer saw; after a relist that may be older than the real final state.</summary>
    public Action<T>? OnDelete { get; init; }
}

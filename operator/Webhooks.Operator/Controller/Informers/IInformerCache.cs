using System.Diagnostics.CodeAnalysis;

namespace Webhooks.Operator.Controller.Informers;

/// <summary>
/// The read side of an informer: the objects as last listed or watched. Empty until the first list
/// of a run and cleared when the run ends. Returned objects are shared and must not be modified.
/// </summary>
public interface IInformerCache<T>
    where T : class
{
    /// <summary>True once every namespace of the current run has been listed.</summary>
    bool HasSynced { get; }

    bool TryGet(ObjectKey key, [MaybeNullWhen(false)] out T value);

    IReadOnlyList<T> List();

    IReadOnlyList<T> List(string @namespace);
}

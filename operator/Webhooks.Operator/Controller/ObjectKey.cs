using k8s;
using k8s.Models;

namespace Webhooks.Operator.Controller;

/// <summary>
/// Identifies an object the controller reconciles. Work is queued by key, never by object, so a
/// reconcile always re-reads the latest state instead of acting on a stale snapshot.
/// </summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public static ObjectKey From(IKubernetesObject<V1ObjectMeta> obj) =>
        new(obj.Metadata.NamespaceProperty ?? string.Empty, obj.Metadata.Name);

    public override string ToString() => $"{Namespace}/{Name}";
}

namespace Webhooks.Operator.Controller;

/// <summary>Identifies a namespaced object in the work queue.</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

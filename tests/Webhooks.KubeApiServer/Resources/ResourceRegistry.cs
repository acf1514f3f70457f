using Webhooks.KubeApiServer.Discovery;

namespace Webhooks.KubeApiServer.Resources;

/// <summary>The set of served resources: built-ins plus whatever the stored CRDs declare.</summary>
internal sealed class ResourceRegistry
{
    private readonly Lock _lock = new();
    private readonly List<ResourceDefinition> _builtIns;
    private readonly Dictionary<string, IReadOnlyList<ResourceDefinition>> _byCrd = new(StringComparer.Ordinal);

    public ResourceRegistry(IEnumerable<ResourceDefinition> builtIns) => _builtIns = builtIns.ToList();

    public IReadOnlyList<ResourceDefinition> All
    {
        get
        {
            lock (_lock)
            {
                return _builtIns.Concat(_byCrd.Values.SelectMany(v => v)).Where(d => d.Served).ToList();
            }
        }
    }

    public ResourceDefinition? Find(string group, string version, string plural) =>
        All.FirstOrDefault(d => d.Group == group && d.Version == version && d.Plural == plural);

    public ResourceDefinition Single(string storageKey) => All.First(d => d.StorageKey == storageKey);

    /// <summary>The groups with their versions, preferred (highest Kubernetes version priority) first.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        All.GroupBy(d => d.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(d => d.Version).Distinct().OrderBy(v => v, KubeVersionComparer.Instance).ToList()))
            .ToList();

    public void Register(string crdName, IReadOnlyList<ResourceDefinition> definitions)
    {
        lock (_lock)
        {
            _byCrd[crdName] = definitions;
        }
    }

    public void Unregister(string crdName)
    {
        lock (_lock)
        {
            _byCrd.Remove(crdName);
        }
    }
}

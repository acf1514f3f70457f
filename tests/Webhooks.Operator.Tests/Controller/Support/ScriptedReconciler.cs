using Webhooks.Operator.Controller;

namespace Webhooks.Operator.Tests.Controller.Support;

/// <summary>Counts reconciles per key, answers with a script, and notices if one key is ever reconciled twice at once.</summary>
internal sealed class ScriptedReconciler : IReconciler
{
    private readonly object _lock = new();
    private readonly Dictionary<ObjectKey, int> _calls = [];
    private readonly HashSet<ObjectKey> _inFlight = [];
    private readonly Func<ObjectKey, int, TimeSpan?> _script;

    /// <param name="script">Given the key and its call number (from 1), returns the requeue-after or throws.</param>
    public ScriptedReconciler(Func<ObjectKey, int, TimeSpan?>? script = null)
    {
        _script = script ?? ((_, _) => null);
    }

    public bool OverlapSeen { get; private set; }

    public int Calls(ObjectKey key)
    {
        lock (_lock)
        {
            return _calls.GetValueOrDefault(key);
        }
    }

    public int TotalCalls
    {
        get
        {
            lock (_lock)
            {
                return _calls.Values.Sum();
            }
        }
    }

    public async Task<TimeSpan?> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        int call;
        lock (_lock)
        {
            OverlapSeen |= !_inFlight.Add(key);
            call = _calls[key] = _calls.GetValueOrDefault(key) + 1;
        }

        try
        {
            // Let other workers run meanwhile, so an overlap would have a chance to show.
            await Task.Yield();
            return _script(key, call);
        }
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(key);
            }
        }
    }
}

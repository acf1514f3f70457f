using k8s;
using k8s.Models;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Controller.Informers;
using Webhooks.Operator.Tests.Support;

namespace Webhooks.Operator.Tests.Controller.Support;

/// <summary>Records an informer's handler calls as <c>"ADD ns/name"</c>, <c>"UPDATE ns/name"</c> and <c>"DELETE ns/name"</c>.</summary>
internal sealed class EventRecorder<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly List<string> _events = [];

    public EventRecorder(Informer<T> informer)
    {
        informer.AddEventHandler(new InformerEventHandler<T>
        {
            OnAdd = item => Record("ADD", item),
            OnUpdate = (old, item) =>
            {
                Assert.Equal(ObjectKey.From(old), ObjectKey.From(item));
                Record("UPDATE", item);
            },
            OnDelete = item => Record("DELETE", item),
        });
    }

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The events recorded after the first <paramref name="skip"/>.</summary>
    public IReadOnlyList<string> Since(int skip) => [.. Events.Skip(skip)];

    public Task WaitForCountAsync(int count) =>
        Eventually.TrueAsync(() => Events.Count >= count, $"{count} events were recorded (have: {string.Join(", ", Events)})");

    private void Record(string type, T item)
    {
        lock (_events)
        {
            _events.Add($"{type} {ObjectKey.From(item)}");
        }
    }
}

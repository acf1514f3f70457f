using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Webhooks.KubeApiServer.Watch;

/// <summary>One open watch: the events it still has to send, already filtered and retyped.</summary>
internal sealed class WatchSubscription(string storageKey, Func<JsonObject, bool> matches)
{
    private readonly Channel<WatchEvent> _channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });

    public string StorageKey { get; } = storageKey;

    public ChannelReader<WatchEvent> Events => _channel.Reader;

    public void Deliver(WatchEvent change)
    {
        if (change.StorageKey != StorageKey)
        {
            return;
        }

        var now = matches(change.Object);
        var before = change.Previous is not null && matches(change.Previous);
        var type = change.Type switch
        {
            WatchEvent.Modified when now && before => WatchEvent.Modified,
            WatchEvent.Modified when now => WatchEvent.Added,
            WatchEvent.Modified when before => WatchEvent.Deleted,
            WatchEvent.Added or WatchEvent.Deleted when now => change.Type,
            _ => null,
        };
        if (type is not null)
        {
            _channel.Writer.TryWrite(change with { Type = type });
        }
    }

    public void Send(WatchEvent control) => _channel.Writer.TryWrite(control);

    public void Close() => _channel.Writer.TryComplete();
}

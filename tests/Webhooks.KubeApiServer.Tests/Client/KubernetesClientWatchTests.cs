using System.Text.Json;
using k8s;
using k8s.Models;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Client;

/// <summary>The official C# client's watch loop sees the event sequence a real cluster sends.</summary>
public sealed class KubernetesClientWatchTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Server.Host });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Custom_object_watch_receives_added_modified_deleted()
    {
        var received = new List<(WatchEventType Type, string Name, string Mode)>();
        var loop = Task.Run(async () =>
        {
            await foreach (var (type, obj) in _client.CustomObjects.WatchListNamespacedCustomObjectAsync("test.kubeapi.dev", "v1", "default", "sinks"))
            {
                var item = (JsonElement)obj;
                lock (received)
                {
                    received.Add((type, item.GetProperty("metadata").GetProperty("name").GetString()!, item.GetProperty("spec").GetProperty("mode").GetString()!));
                }
            }
        });
        await Eventually.TrueAsync(() => _server.Server.ActiveWatchCount == 1, "the client opened its watch");

        var sink = new Dictionary<string, object>
        {
            ["apiVersion"] = "test.kubeapi.dev/v1",
            ["kind"] = "Sink",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "a" },
            ["spec"] = new Dictionary<string, object> { ["url"] = "https://example.com" },
        };
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(sink, "test.kubeapi.dev", "v1", "default", "sinks");
        var patch = new V1Patch("""{"spec":{"mode":"Pull"}}""", V1Patch.PatchType.MergePatch);
        await _client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, "test.kubeapi.dev", "v1", "default", "sinks", "a");
        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync("test.kubeapi.dev", "v1", "default", "sinks", "a");

        await Eventually.TrueAsync(() => { lock (received) { return received.Count == 3; } }, "three events arrived");
        Assert.Equal([(WatchEventType.Added, "a", "Push"), (WatchEventType.Modified, "a", "Pull"), (WatchEventType.Deleted, "a", "Pull")], received);

        _server.Server.DropWatches();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Typed_clients_work_for_secrets_namespaces_and_leases()
    {
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ops" } });
        var secret = await _client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "token" }, StringData = new Dictionary<string, string> { ["t"] = "v" } },
            "ops");
        Assert.Equal("v"u8.ToArray(), secret.Data["t"]);

        var lease = await _client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease { Metadata = new V1ObjectMeta { Name = "leader" }, Spec = new V1LeaseSpec { HolderIdentity = "me", LeaseDurationSeconds = 15 } },
            "ops");
        lease.Spec.HolderIdentity = "you";
        var replaced = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", "ops");
        Assert.Equal("you", replaced.Spec.HolderIdentity);

        var conflict = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", "ops"));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, conflict.Response.StatusCode);
    }
}

using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Discovery;

public sealed class DiscoveryTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Groups_and_resources_are_discoverable()
    {
        var groups = await _server.SendAsync(HttpMethod.Get, "/apis");
        var names = groups.Body!["groups"]!.AsArray().Select(g => g!["name"]!.ToString()).ToList();
        Assert.Contains("test.kubeapi.dev", names);
        Assert.Contains("coordination.k8s.io", names);
        Assert.Contains("events.k8s.io", names);

        var resources = await _server.SendAsync(HttpMethod.Get, "/apis/test.kubeapi.dev/v1");
        var entries = resources.Body!["resources"]!.AsArray();
        Assert.Equal(["sinks", "sinks/status"], entries.Select(r => r!["name"]!.ToString()));
        Assert.Equal("sk", entries[0]!["shortNames"]![0]!.ToString());

        var core = await _server.SendAsync(HttpMethod.Get, "/api/v1");
        Assert.Equal(["events", "namespaces", "namespaces/status", "secrets"], core.Body!["resources"]!.AsArray().Select(r => r!["name"]!.ToString()));
        Assert.Equal("1", (await _server.SendAsync(HttpMethod.Get, "/version")).Str("major"));
        Assert.Equal(404, (await _server.SendAsync(HttpMethod.Get, "/apis/nope/v1")).Code);
    }

    [Fact]
    public async Task Openapi_v3_advertises_field_validation_for_every_resource()
    {
        var index = await _server.SendAsync(HttpMethod.Get, "/openapi/v3");
        var url = index.Str("paths", "apis/test.kubeapi.dev/v1", "serverRelativeURL")!;
        var document = await _server.SendAsync(HttpMethod.Get, url);
        var patch = document.Body!["paths"]!["/apis/test.kubeapi.dev/v1/namespaces/{namespace}/sinks/{name}"]!["patch"]!;
        Assert.Equal("Sink", patch["x-kubernetes-group-version-kind"]!["kind"]!.ToString());
        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.ToString() == "fieldValidation");
    }
}

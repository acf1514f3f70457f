using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Patching;

/// <summary>PATCH content types: JSON patch, merge patch, strategic merge patch, server-side apply.</summary>
public sealed class PatchTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Json_patch_applies_operations()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var response = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """[{"op":"replace","path":"/spec/mode","value":"Pull"},{"op":"add","path":"/spec/headers/-","value":{"name":"A","value":"1"}}]""", "application/json-patch+json");
        Assert.Equal(200, response.Code);
        Assert.Equal("Pull", response.Str("spec", "mode"));
        Assert.Equal("A", response.Body!["spec"]!["headers"]![0]!["name"]!.ToString());
    }

    [Fact]
    public async Task Merge_patch_with_a_stale_resource_version_conflicts()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var response = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"metadata":{"resourceVersion":"1"},"spec":{"retries":2}}""", "application/merge-patch+json");
        Assert.Equal(409, response.Code);
        Assert.Equal("Conflict", response.Str("reason"));
    }

    [Fact]
    public async Task Strategic_merge_patch_is_unsupported_for_custom_resources_but_works_for_secrets()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var crResponse = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"spec":{"retries":2}}""", "application/strategic-merge-patch+json");
        Assert.Equal(415, crResponse.Code);
        Assert.Equal("UnsupportedMediaType", crResponse.Str("reason"));

        var secret = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" }, ["stringData"] = new JsonObject { ["a"] = "1" } };
        Assert.Equal(201, (await _server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/secrets", secret)).Code);
        var patched = await _server.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/secrets/s", """{"$setElementOrder/x":[],"stringData":{"b":"2"}}""", "application/strategic-merge-patch+json");
        Assert.Equal(200, patched.Code);
        Assert.Equal("""{"a":"MQ==","b":"Mg=="}""", patched.Body!["data"]!.ToJsonString());
        Assert.Null(patched.Body["stringData"]);
    }

    [Fact]
    public async Task Server_side_apply_creates_then_merges()
    {
        const string manifest = """
            apiVersion: test.kubeapi.dev/v1
            kind: Sink
            metadata:
              name: applied
            spec:
              url: https://example.com/a
            """;
        var created = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/applied?fieldManager=test", manifest, "application/apply-patch+yaml");
        Assert.Equal(201, created.Code);

        var merged = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/applied?fieldManager=test", manifest.Replace("/a", "/b", StringComparison.Ordinal), "application/apply-patch+yaml");
        Assert.Equal(200, merged.Code);
        Assert.Equal("https://example.com/b", merged.Str("spec", "url"));
        Assert.Equal("2", merged.Str("metadata", "generation"));
    }
}

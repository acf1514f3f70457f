using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Printing;

/// <summary>Server-side printing: the Table kubectl asks for with its Accept header.</summary>
public sealed class TableTests : IAsyncLifetime
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new KubeApiTestServerOptions { TimeProvider = _time });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Custom_resource_table_uses_printer_columns_and_prints_ages()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a/status", """{"status":{"conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True"}]}}""", "application/merge-patch+json");
        _time.Advance(TimeSpan.FromSeconds(200));

        var table = (await _server.SendAsync(HttpMethod.Get, TestServer.SinksPath, (string?)null, accept: TableAccept)).Body!;

        Assert.Equal("Table", table["kind"]!.ToString());
        Assert.Equal("meta.k8s.io/v1", table["apiVersion"]!.ToString());
        Assert.Equal(
            "Name:0,URL:0,Mode:0,Ready:0,Retries:1,Age:0",
            string.Join(",", table["columnDefinitions"]!.AsArray().Select(c => $"{c!["name"]}:{c["priority"]}")));
        var row = table["rows"]![0]!;
        Assert.Equal("""["a","https://example.com/hook","Push","True",3,"3m20s"]""", row["cells"]!.ToJsonString());
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.ToString());
        Assert.Equal("a", row["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Single_object_get_and_include_object_are_honoured()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var table = (await _server.SendAsync(HttpMethod.Get, TestServer.SinksPath + "/a?includeObject=Object", (string?)null, accept: TableAccept)).Body!;
        Assert.Single(table["rows"]!.AsArray());
        Assert.Equal("Sink", table["rows"]![0]!["object"]!["kind"]!.ToString());
    }

    [Fact]
    public async Task Secrets_and_events_have_default_columns()
    {
        var secret = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" }, ["type"] = "kubernetes.io/tls", ["data"] = new JsonObject { ["tls.crt"] = "eA==", ["tls.key"] = "eA==" } };
        await _server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/secrets", secret);
        var secrets = (await _server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/secrets", (string?)null, accept: TableAccept)).Body!;
        Assert.Equal("""["s","kubernetes.io/tls",2,"0s"]""", secrets["rows"]![0]!["cells"]!.ToJsonString());

        var @event = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "e" },
            ["involvedObject"] = new JsonObject { ["kind"] = "Sink", ["name"] = "a" },
            ["type"] = "Warning",
            ["reason"] = "Failed",
            ["message"] = "boom",
            ["lastTimestamp"] = "2025-01-01T11:59:00Z",
        };
        await _server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/events", @event);
        var events = (await _server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/events", (string?)null, accept: TableAccept)).Body!;
        Assert.Equal("""["60s","Warning","Failed","sink/a","",null,"boom",null,null,"e"]""", events["rows"]![0]!["cells"]!.ToJsonString());
    }
}

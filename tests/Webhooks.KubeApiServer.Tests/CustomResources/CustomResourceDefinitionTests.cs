using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.CustomResources;

/// <summary>CRDs: loading from files (the project's real one too), listing, and dynamic registration.</summary>
public sealed class CustomResourceDefinitionTests
{
    private const string CrdsPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    [Fact]
    public async Task Loaded_crds_are_listed_and_established()
    {
        await using var server = await TestServer.StartAsync();
        var list = await server.SendAsync(HttpMethod.Get, CrdsPath);
        var crd = Assert.Single(list.Body!["items"]!.AsArray())!;
        Assert.Equal("sinks.test.kubeapi.dev", crd["metadata"]!["name"]!.ToString());
        Assert.Contains(crd["status"]!["conditions"]!.AsArray(), c => c!["type"]!.ToString() == "Established" && c["status"]!.ToString() == "True");
    }

    [Fact]
    public async Task Posting_a_crd_serves_its_resource_and_deleting_it_removes_the_objects()
    {
        await using var server = await TestServer.StartAsync();
        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
             "metadata":{"name":"gadgets.example.dev"},
             "spec":{"group":"example.dev","scope":"Cluster","names":{"plural":"gadgets","singular":"gadget","kind":"Gadget"},
                     "versions":[{"name":"v1beta1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
                                 {"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """)!;
        Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, CrdsPath, crd)).Code);

        var group = await server.SendAsync(HttpMethod.Get, "/apis/example.dev");
        Assert.Equal("v1", group.Str("preferredVersion", "version"));

        var gadget = JsonNode.Parse("""{"apiVersion":"example.dev/v1","kind":"Gadget","metadata":{"name":"g"},"anything":{"goes":1}}""")!;
        Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, "/apis/example.dev/v1/gadgets", gadget)).Code);
        var asBeta = await server.SendAsync(HttpMethod.Get, "/apis/example.dev/v1beta1/gadgets/g");
        Assert.Equal("example.dev/v1beta1", asBeta.Str("apiVersion"));
        Assert.Equal("1", asBeta.Str("anything", "goes"));

        Assert.Equal(200, (await server.SendAsync(HttpMethod.Delete, CrdsPath + "/gadgets.example.dev")).Code);
        Assert.Equal(404, (await server.SendAsync(HttpMethod.Get, "/apis/example.dev/v1/gadgets/g")).Code);
    }

    [Fact]
    public async Task The_projects_real_crd_loads_when_present()
    {
        var path = FindRepositoryFile("config/crds/auditlog.dev_webhooks.yaml");
        if (path is null)
        {
            return;
        }

        await using var server = await KubeApiTestServer.StartAsync();
        var names = server.LoadCustomResourceDefinitionFile(path);
        Assert.Equal(["webhooks.auditlog.dev"], names);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var discovery = JsonNode.Parse(await http.GetStringAsync("/apis/auditlog.dev"))!;
        var version = discovery["preferredVersion"]!["version"]!.ToString();
        var list = await http.GetAsync($"/apis/auditlog.dev/{version}/namespaces/default/webhooks");
        Assert.Equal(200, (int)list.StatusCode);
    }

    private static string? FindRepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

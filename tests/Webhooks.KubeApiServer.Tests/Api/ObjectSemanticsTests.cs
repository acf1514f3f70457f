using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Api;

/// <summary>Object metadata rules: resourceVersion, generation, status subresource, finalizers, error shapes.</summary>
public sealed class ObjectSemanticsTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Create_sets_server_owned_metadata()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var metadata = created["metadata"]!;
        Assert.True(Guid.TryParse(metadata["uid"]!.ToString(), out _));
        Assert.Equal(1, metadata["generation"]!.GetValue<long>());
        Assert.Equal(_server.Server.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["resourceVersion"]!.ToString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", metadata["creationTimestamp"]!.ToString());
        Assert.Equal("default", metadata["namespace"]!.ToString());
    }

    [Fact]
    public async Task Update_with_a_stale_resource_version_is_a_conflict()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var first = (JsonObject)created.DeepClone();
        first["spec"]!["retries"] = 5;
        Assert.Equal(200, (await _server.SendAsync(HttpMethod.Put, TestServer.SinksPath + "/a", first)).Code);

        var stale = (JsonObject)created.DeepClone();
        stale["spec"]!["retries"] = 6;
        var conflict = await _server.SendAsync(HttpMethod.Put, TestServer.SinksPath + "/a", stale);

        Assert.Equal(409, conflict.Code);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on sinks.test.kubeapi.dev \"a\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"a","group":"test.kubeapi.dev","kind":"sinks"},"code":409}""",
            conflict.Body!.ToJsonString(TestJson.Relaxed));
    }

    [Fact]
    public async Task Custom_resources_refuse_updates_without_resource_version()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        created["metadata"]!.AsObject().Remove("resourceVersion");
        var response = await _server.SendAsync(HttpMethod.Put, TestServer.SinksPath + "/a", created);
        Assert.Equal(422, response.Code);
        Assert.Contains("metadata.resourceVersion: Invalid value: \"0x0\": must be specified for an update", response.Str("message"));
    }

    [Fact]
    public async Task Not_found_and_already_exists_have_the_real_shape()
    {
        var missing = await _server.SendAsync(HttpMethod.Get, TestServer.SinksPath + "/nope");
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"sinks.test.kubeapi.dev \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"test.kubeapi.dev","kind":"sinks"},"code":404}""",
            missing.Body!.ToJsonString(TestJson.Relaxed));

        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var duplicate = await _server.CreateSinkAsync(TestServer.Sink("a"));
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"sinks.test.kubeapi.dev \"a\" already exists","reason":"AlreadyExists","details":{"name":"a","group":"test.kubeapi.dev","kind":"sinks"},"code":409}""",
            duplicate.Body!.ToJsonString(TestJson.Relaxed));

        var secret = await _server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/secrets/x");
        Assert.Equal("""{"name":"x","kind":"secrets"}""", secret.Body!["details"]!.ToJsonString());
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_fails_until_it_exists()
    {
        var path = "/apis/test.kubeapi.dev/v1/namespaces/team-b/sinks";
        var missing = await _server.SendAsync(HttpMethod.Post, path, TestServer.Sink("a"));
        Assert.Equal(404, missing.Code);
        Assert.Equal("namespaces \"team-b\" not found", missing.Str("message"));

        var ns = await _server.SendAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "team-b" } });
        Assert.Equal(201, ns.Code);
        Assert.Equal("Active", ns.Str("status", "phase"));
        Assert.Equal(201, (await _server.SendAsync(HttpMethod.Post, path, TestServer.Sink("a"))).Code);
    }

    [Fact]
    public async Task Generation_changes_only_with_the_spec()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var labelled = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"metadata":{"labels":{"x":"y"}}}""", "application/merge-patch+json");
        Assert.Equal("1", labelled.Str("metadata", "generation"));

        var status = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a/status", """{"status":{"observedGeneration":1}}""", "application/merge-patch+json");
        Assert.Equal("1", status.Str("metadata", "generation"));

        var spec = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"spec":{"retries":7}}""", "application/merge-patch+json");
        Assert.Equal("2", spec.Str("metadata", "generation"));
    }

    [Fact]
    public async Task No_op_updates_keep_the_resource_version()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var same = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"spec":{"retries":3}}""", "application/merge-patch+json");
        Assert.Equal(created["metadata"]!["resourceVersion"]!.ToString(), same.Str("metadata", "resourceVersion"));
    }

    [Fact]
    public async Task Status_subresource_is_isolated_from_the_main_resource()
    {
        var create = TestServer.Sink("a");
        create["status"] = new JsonObject { ["observedGeneration"] = 9 };
        var created = await _server.CreateSinkOkAsync(create);
        Assert.Null(created["status"]);

        var withStatus = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a/status", """{"spec":{"retries":9},"status":{"observedGeneration":1}}""", "application/merge-patch+json");
        Assert.Equal("1", withStatus.Str("status", "observedGeneration"));
        Assert.Equal("3", withStatus.Str("spec", "retries"));

        var main = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"spec":{"retries":4},"status":{"observedGeneration":5}}""", "application/merge-patch+json");
        Assert.Equal("1", main.Str("status", "observedGeneration"));
        Assert.Equal("4", main.Str("spec", "retries"));

        var invalidStatus = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a/status", """{"status":{"conditions":[{"type":"Ready","status":"Maybe"}]}}""", "application/merge-patch+json");
        Assert.Equal(422, invalidStatus.Code);
        Assert.Contains("status.conditions[0].status: Unsupported value: \"Maybe\"", invalidStatus.Str("message"));
    }

    [Fact]
    public async Task Finalizers_hold_deletion_until_they_are_removed()
    {
        var sink = TestServer.Sink("a");
        sink["metadata"]!["finalizers"] = new JsonArray("test.kubeapi.dev/cleanup");
        await _server.CreateSinkOkAsync(sink);

        var deleting = await _server.SendAsync(HttpMethod.Delete, TestServer.SinksPath + "/a");
        Assert.Equal(202, deleting.Code);
        Assert.NotNull(deleting.Str("metadata", "deletionTimestamp"));
        Assert.Equal("0", deleting.Str("metadata", "deletionGracePeriodSeconds"));
        Assert.Equal("2", deleting.Str("metadata", "generation"));
        Assert.Equal(200, (await _server.SendAsync(HttpMethod.Get, TestServer.SinksPath + "/a")).Code);

        var adding = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"metadata":{"finalizers":["test.kubeapi.dev/cleanup","other"]}}""", "application/merge-patch+json");
        Assert.Equal(422, adding.Code);
        Assert.Contains("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"other\"}", adding.Str("message"));

        var released = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        Assert.Equal(200, released.Code);
        Assert.Equal(404, (await _server.SendAsync(HttpMethod.Get, TestServer.SinksPath + "/a")).Code);
    }

    [Fact]
    public async Task Delete_without_finalizers_answers_a_success_status()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var deleted = await _server.SendAsync(HttpMethod.Delete, TestServer.SinksPath + "/a");
        Assert.Equal(200, deleted.Code);
        Assert.Equal("Success", deleted.Str("status"));
        Assert.Equal(created["metadata"]!["uid"]!.ToString(), deleted.Str("details", "uid"));
    }

    [Fact]
    public async Task Lists_filter_by_label_and_field_selectors_and_page()
    {
        foreach (var (name, labels) in new[] { ("a", new JsonObject { ["tier"] = "x", ["env"] = "prod" }), ("b", new JsonObject { ["tier"] = "y" }), ("c", new JsonObject { ["tier"] = "z", ["canary"] = "1" }) })
        {
            var sink = TestServer.Sink(name);
            sink["metadata"]!["labels"] = labels;
            await _server.CreateSinkOkAsync(sink);
        }

        async Task<string> Names(string query)
        {
            var response = await _server.SendAsync(HttpMethod.Get, "/apis/test.kubeapi.dev/v1/sinks?" + query);
            Assert.True(response.Code == 200, response.ToString());
            return string.Join(",", response.Body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
        }

        Assert.Equal("a,b", await Names("labelSelector=" + Uri.EscapeDataString("tier in (x,y)")));
        Assert.Equal("b", await Names("labelSelector=" + Uri.EscapeDataString("tier!=x,!canary")));
        Assert.Equal("a", await Names("labelSelector=" + Uri.EscapeDataString("env=prod,tier notin (z)")));
        Assert.Equal("c", await Names("labelSelector=canary"));
        Assert.Equal("b", await Names("fieldSelector=" + Uri.EscapeDataString("metadata.name=b,metadata.namespace=default")));
        Assert.Equal(400, (await _server.SendAsync(HttpMethod.Get, "/apis/test.kubeapi.dev/v1/sinks?fieldSelector=spec.url%3Dx")).Code);

        var firstPage = await _server.SendAsync(HttpMethod.Get, TestServer.SinksPath + "?limit=2");
        Assert.Equal(2, firstPage.Body!["items"]!.AsArray().Count);
        Assert.Equal("1", firstPage.Str("metadata", "remainingItemCount"));
        Assert.Equal(_server.Server.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), firstPage.Str("metadata", "resourceVersion"));
        Assert.Equal("c", await Names("limit=2&continue=" + Uri.EscapeDataString(firstPage.Str("metadata", "continue")!)));
    }

    [Fact]
    public async Task Event_field_selectors_match_the_involved_object_across_both_event_apis()
    {
        var core = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "e1" },
            ["involvedObject"] = new JsonObject { ["kind"] = "Sink", ["name"] = "a", ["namespace"] = "default", ["uid"] = "u1" },
            ["reason"] = "Created",
            ["message"] = "hello",
        };
        Assert.Equal(201, (await _server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/events", core)).Code);

        var query = "fieldSelector=" + Uri.EscapeDataString("involvedObject.name=a,involvedObject.namespace=default,involvedObject.kind=Sink,involvedObject.uid=u1");
        var matched = await _server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/events?" + query);
        Assert.Single(matched.Body!["items"]!.AsArray());
        var other = await _server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Db");
        Assert.Empty(other.Body!["items"]!.AsArray());

        var asEventsApi = await _server.SendAsync(HttpMethod.Get, "/apis/events.k8s.io/v1/namespaces/default/events/e1");
        Assert.Equal("hello", asEventsApi.Str("note"));
        Assert.Equal("a", asEventsApi.Str("regarding", "name"));
    }

    [Fact]
    public async Task Leases_support_the_leader_election_round_trip()
    {
        const string path = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
        var lease = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "operator" }, ["spec"] = new JsonObject { ["holderIdentity"] = "pod-1", ["leaseDurationSeconds"] = 15 } };
        var created = await _server.SendAsync(HttpMethod.Post, path, lease);
        Assert.Equal(201, created.Code);

        var renewed = (JsonObject)created.Body!.DeepClone();
        renewed["spec"]!["holderIdentity"] = "pod-2";
        var updated = await _server.SendAsync(HttpMethod.Put, path + "/operator", renewed);
        Assert.Equal("pod-2", updated.Str("spec", "holderIdentity"));
        Assert.Equal(409, (await _server.SendAsync(HttpMethod.Put, path + "/operator", renewed)).Code);
    }
}

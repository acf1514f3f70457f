using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Webhooks.KubeApiServer;
using Webhooks.KubeApiServer.CommandLine;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.Operator.Resources;
using Webhooks.Operator.Tests.Support;
using Webhooks.TestSupport.Dispatcher;
using Webhooks.TestSupport.Operator;
using Webhooks.TestSupport.Postgres;
using Webhooks.TestSupport.Receivers;

namespace Webhooks.Operator.Tests.EndToEnd;

/// <summary>
/// The whole pipeline as users meet it: the real kubectl applies Webhooks to the Kubernetes API test
/// server, the operator reconciles them into PostgreSQL, the dispatcher delivers to a real receiver,
/// and kubectl shows the outcome.
/// </summary>
public sealed class OperatorPipelineTests : IAsyncLifetime
{
    private static readonly string Root = Manifests.RepositoryRoot();
    private KubeApiTestServer _server = null!;
    private Kubectl _kubectl = null!;
    private Kubernetes _client = null!;
    private TestReceiver _receiver = null!;
    private DispatcherHost _dispatcher = null!;
    private OperatorHost _operator = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _server = await KubeApiTestServer.StartAsync(new KubeApiTestServerOptions { CustomResourceDefinitionFiles = [Path.Combine(Root, "config/crds/auditlog.dev_webhooks.yaml")] });
        _kubectl = new Kubectl(_server);
        _kubeconfig = _server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}"));
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Host });
        _receiver = await TestReceiver.StartAsync();
        _dispatcher = await DispatcherHost.StartAsync();
        _operator = await OperatorHost.StartAsync(_dispatcher.ConnectionString, _kubeconfig);
    }

    public async Task DisposeAsync()
    {
        await _operator.DisposeAsync();
        await _dispatcher.DisposeAsync();
        await _receiver.DisposeAsync();
        _client.Dispose();
        _kubectl.Dispose();
        File.Delete(_kubeconfig);
        await _server.DisposeAsync();
    }

    [KubectlFact]
    public async Task Samples_AppliedWithKubectl_BecomeRoutes_AndDescribeShowsTheDelivery()
    {
        var apply = await _kubectl.RunAsync("apply", "-k", Path.Combine(Root, "config/samples"));
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var patch = await _kubectl.RunAsync("patch", "webhook", "webhook-test", "--type=merge", "-p", $"{{\"spec\":{{\"url\":\"{_receiver.Url()}\"}}}}");
        Assert.True(patch.ExitCode == 0, patch.ToString());

        await Eventually.ReturnsAsync(RouteUrlsAsync, urls => urls.Contains(_receiver.Url().ToString()) && urls.Count == 3, "the three samples are routes, webhook-test at the receiver");
        await _dispatcher.IngestAsync(new Dictionary<string, object?>
        {
            ["event_id"] = "evt_96e428f2-b3f8-4247-8e3b-e2a3f563bd05",
            ["organization_id"] = "646f1e0c2a9b4d0012345678",
            ["occurred_at"] = "2025-11-12T12:48Z",
            ["data"] = new Dictionary<string, object?>
            {
                ["actor"] = new Dictionary<string, object?> { ["ip"] = "94.54.12.7", ["user_agent"] = "Mozilla/5.0", ["username"] = "koray" },
                ["date"] = "2025-11-12T12:12:48.626967855Z",
                ["description"] = "User is logged in id=[67a1], name=[koray]",
                ["event_category"] = "user",
                ["event_name"] = "login",
            },
        });
        await _receiver.WaitForCountAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal("Webhook", Assert.Single(_receiver.Requests).Header("Test"));
        await Eventually.ReturnsAsync(
            async () => (await _kubectl.RunAsync("get", "webhook", "webhook-test", "-o", "jsonpath={.status.lastDelivery.result}")).Stdout,
            result => result == "Succeeded", "status.lastDelivery shows the success");

        var describe = await _kubectl.RunAsync("describe", "webhook", "webhook-test");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        var text = describe.Stdout;
        Assert.Matches(@"Kind:\s+Webhook\n", text);
        Assert.Matches(@"Reason:\s+RouteActive\n\s+Status:\s+True\n\s+Type:\s+Ready\n", text);
        Assert.Matches(@"Reason:\s+Healthy\n\s+Status:\s+True\n\s+Type:\s+Delivering\n", text);
        Assert.Matches(@"Last Delivery:\n(\s+.+\n)*\s+Event Id:\s+evt_96e428f2-b3f8-4247-8e3b-e2a3f563bd05\n", text);
        Assert.Matches(@"\s+Http Status:\s+200\n\s+Result:\s+Succeeded\n", text);
        Assert.Matches(@"Normal\s+RouteUpdated\s+\S+\s+webhooks-operator\s+Route written at revision \d+ \(generation 2\)", text);
        Assert.Matches(@"Warning\s+InsecureMode", text);

        var table = await _kubectl.RunAsync("get", "webhooks");
        Assert.Matches(@"NAME\s+READY\s+REASON\s+SECURE\s+LAST DELIVERY\s+LAST RESULT\s+AGE", table.Stdout);
        Assert.Matches(@"webhook-test\s+True\s+RouteActive\s+false\s+\S+\s+Succeeded", table.Stdout);
        Assert.Matches(@"siem\s+True\s+RouteActive\s+true", table.Stdout);
        var wide = await _kubectl.RunAsync("get", "webhooks", "-o", "wide");
        Assert.Contains("https://siem.example.com/hooks/audit", wide.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAKE/TOKEN", wide.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAKE/TOKEN", (await _kubectl.RunAsync("get", "webhook", "chat-alerts", "-o", "yaml")).Stdout, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = _operator.BaseAddress };
        Assert.Equal("ok: leader, caches synced", await http.GetStringAsync("/readyz"));
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Matches(@"controller_runtime_reconcile_total\{controller=""webhook"",result=""success""\} [1-9]", metrics);
        Assert.Matches(@"controller_runtime_reconcile_time_seconds_count\{controller=""webhook""\} [1-9]", metrics);
        Assert.Matches(@"workqueue_adds_total\{name=""webhook""\} [1-9]", metrics);
        Assert.Contains("workqueue_depth{name=\"webhook\"}", metrics, StringComparison.Ordinal);
        Assert.Matches(@"leader_election_master_status\{name=""webhooks-operator-leader""\} 1", metrics);
    }

    [Fact]
    public async Task MissingSecret_IsSecretNotFoundWithAnEvent_AndCreatingItRecovers()
    {
        await CreateWebhookAsync("needs-token", header: ("Authorization", "late-token", "header"));

        var reason = await Eventually.ReturnsAsync(() => ReadyReasonAsync("needs-token"), r => r == "SecretNotFound", "Ready=False SecretNotFound");
        Assert.Equal("SecretNotFound", reason);
        await Eventually.ReturnsAsync(
            async () => (await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=needs-token")).Items.Select(e => e.Reason).ToList(),
            reasons => reasons.Contains("SecretNotFound"), "a SecretNotFound Event");

        await _client.CoreV1.CreateNamespacedSecretAsync(Secret("late-token", "header", "Bearer t"), "default");

        await Eventually.ReturnsAsync(() => ReadyReasonAsync("needs-token"), r => r == "RouteActive", "recovery once the Secret exists");
    }

    [Fact]
    public async Task RotatedSecret_ReachesTheRouteWithoutRestarts()
    {
        await _client.CoreV1.CreateNamespacedSecretAsync(Secret("rotating", "header", "Bearer one"), "default");
        await CreateWebhookAsync("rotates", header: ("Authorization", "rotating", "header"));
        await Eventually.ReturnsAsync(() => HeaderValueAsync("rotates", "Authorization"), v => v == "Bearer one", "the first token in the route");

        var secret = await _client.CoreV1.ReadNamespacedSecretAsync("rotating", "default");
        secret.Data["header"] = Encoding.UTF8.GetBytes("Bearer two");
        await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, "rotating", "default");

        await Eventually.ReturnsAsync(() => HeaderValueAsync("rotates", "Authorization"), v => v == "Bearer two", "the rotated token in the route");
    }

    [Fact]
    public async Task DeletedWebhook_LosesItsRoute_ThenTheObjectGoes()
    {
        await CreateWebhookAsync("short-lived");
        await Eventually.ReturnsAsync(RouteNamesAsync, names => names.Contains("short-lived"), "the route exists");
        var created = await GetWebhookAsync("short-lived");
        Assert.Contains("auditlog.dev/route", created!.Metadata.Finalizers);

        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural, "short-lived");

        await Eventually.ReturnsAsync(RouteNamesAsync, names => !names.Contains("short-lived"), "the route is deleted");
        await Eventually.ReturnsAsync(() => GetWebhookAsync("short-lived"), w => w is null, "the finalizer is released and the object removed");
    }

    [Fact]
    public async Task ForcedExpiry_RelistsWithoutLosingUpdates()
    {
        await CreateWebhookAsync("survives-410");
        await Eventually.ReturnsAsync(RouteNamesAsync, names => names.Contains("survives-410"), "the route exists");

        _server.ForceCompaction();
        _server.DropWatches();
        await PatchUrlAsync("survives-410", "http://127.0.0.1:9/after-410");

        await Eventually.ReturnsAsync(RouteUrlsAsync, urls => urls.Contains("http://127.0.0.1:9/after-410"), "the change made across the 410 reaches the route");
    }

    [Fact]
    public async Task OperatorRestart_ResumesFromAFreshList()
    {
        await CreateWebhookAsync("across-restart");
        await Eventually.ReturnsAsync(RouteNamesAsync, names => names.Contains("across-restart"), "the route exists");
        await _operator.DisposeAsync();

        await PatchUrlAsync("across-restart", "http://127.0.0.1:9/while-down");
        await CreateWebhookAsync("created-while-down");
        _operator = await OperatorHost.StartAsync(_dispatcher.ConnectionString, _kubeconfig, identity: "operator-restarted");

        await Eventually.ReturnsAsync(RouteUrlsAsync, urls => urls.Contains("http://127.0.0.1:9/while-down"), "the change made while down");
        await Eventually.ReturnsAsync(RouteNamesAsync, names => names.Contains("created-while-down"), "the Webhook created while down");
    }

    [Fact]
    public async Task TwoOperators_OneLeads_AndTheOtherTakesOverWhenItDies()
    {
        await using var standby = await OperatorHost.StartAsync(_dispatcher.ConnectionString, _kubeconfig, identity: "operator-2");
        await Eventually.ReturnsAsync(() => Task.FromResult(_operator.Controller.IsLeader ^ standby.Controller.IsLeader), one => one, "exactly one leader");
        Assert.True(_operator.Controller.IsLeader);
        Assert.False(standby.Controller.IsLeader);

        await _operator.DisposeAsync();
        await Eventually.ReturnsAsync(() => Task.FromResult(standby.Controller.IsLeader), leads => leads, "the standby takes the lease");
        await CreateWebhookAsync("after-failover");

        await Eventually.ReturnsAsync(RouteNamesAsync, names => names.Contains("after-failover"), "the new leader reconciles");
        _operator = await OperatorHost.StartAsync(_dispatcher.ConnectionString, _kubeconfig, identity: "operator-3");
        Assert.False(_operator.Controller.IsLeader);
    }

    public static TheoryData<string> InvalidFixtures => new(Directory.GetFiles(Path.Combine(Root, "tests/fixtures/webhooks/invalid"), "*.yaml").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(InvalidFixtures))]
    public async Task InvalidSpec_IsRejectedAtApplyWithTheRulesMessage(string fixture)
    {
        // Sent as written, not through the typed model, which would drop or coerce the very mistakes under test.
        var webhook = YamlJsonConverter.ParseSingle(await File.ReadAllTextAsync(Path.Combine(Root, "tests/fixtures/webhooks/invalid", fixture)))!;
        var expected = (string)webhook["metadata"]!["annotations"]!["test.auditlog.dev/expect-error"]!;

        var exception = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => _client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonSerializer.Deserialize<JsonElement>(webhook.ToJsonString()), V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural));

        Assert.Equal(422, (int)exception.Response.StatusCode);
        Assert.Contains(expected, exception.Response.Content, StringComparison.Ordinal);
    }

    private async Task CreateWebhookAsync(string name, (string Header, string Secret, string Key)? header = null)
    {
        var webhook = new V1Alpha1Webhook
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new WebhookSpec
            {
                Url = _receiver.Url($"/{name}").ToString(),
                Events = ["audit_log_creation"],
                SecureMode = new SecureMode { Enabled = false },
                Headers = header is { } h ? [new WebhookHeader { Name = h.Header, ValueFrom = new ValueSource { SecretKeyRef = new SecretKeyReference { Name = h.Secret, Key = h.Key } } }] : null,
            },
        };
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonSerializer.Deserialize<object>(KubernetesJson.Serialize(webhook))!, V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural);
    }

    private async Task PatchUrlAsync(string name, string url) =>
        await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch($"{{\"spec\":{{\"url\":\"{url}\"}}}}", V1Patch.PatchType.MergePatch), V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural, name);

    private async Task<V1Alpha1Webhook?> GetWebhookAsync(string name)
    {
        try
        {
            var result = await _client.CustomObjects.GetNamespacedCustomObjectAsync(V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural, name);
            return KubernetesJson.Deserialize<V1Alpha1Webhook>(((JsonElement)result).GetRawText());
        }
        catch (k8s.Autorest.HttpOperationException exception) when (exception.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<string?> ReadyReasonAsync(string name) =>
        (await GetWebhookAsync(name))?.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Reason;

    private async Task<List<string>> RouteNamesAsync() =>
        [.. (await _dispatcher.Routes.LoadAllAsync(CancellationToken.None)).Routes.Select(r => r.Definition.Name)];

    private async Task<List<string>> RouteUrlsAsync() =>
        [.. (await _dispatcher.Routes.LoadAllAsync(CancellationToken.None)).Routes.Select(r => r.Definition.Url)];

    private async Task<string?> HeaderValueAsync(string route, string header) =>
        (await _dispatcher.Routes.LoadAllAsync(CancellationToken.None)).Routes.FirstOrDefault(r => r.Definition.Name == route)?.Definition.Headers.FirstOrDefault(h => h.Name == header)?.Value;

    private static V1Secret Secret(string name, string key, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(value) },
    };
}

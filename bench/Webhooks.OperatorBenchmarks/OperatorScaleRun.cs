using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using Webhooks.KubeApiServer;
using Webhooks.Operator.Resources;
using Webhooks.TestSupport.Operator;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.OperatorBenchmarks;

public sealed record OperatorScaleResult(int Webhooks, int Workers, double SecondsUntilAllReady, bool AllReady, int SteadyStateSeconds, int StatusWritesInSteadyState, int WebhookWritesInSteadyState);

/// <summary>
/// N Webhooks (each reading one shared Secret) created on the Kubernetes API test server, the real
/// operator (leader election on, production status intervals) reconciling them into a durable
/// PostgreSQL; then a quiet period in which every write to a Webhook is counted from a watch.
/// </summary>
public static class OperatorScaleRun
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public static async Task<OperatorScaleResult> RunAsync(int webhooks, TimeSpan steadyState, int workers)
    {
        var root = RepositoryRoot();
        Console.WriteLine($"Operator scale: {webhooks} Webhooks, {workers} workers, {steadyState.TotalSeconds:0} s steady state");
        await using var postgres = await PostgresCluster.StartAsync(new Dictionary<string, string> { ["synchronous_commit"] = "on" });
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var server = await KubeApiTestServer.StartAsync(new KubeApiTestServerOptions
        {
            CustomResourceDefinitionFiles = [Path.Combine(root, "config/crds/auditlog.dev_webhooks.yaml")],
            WatchHistoryLimit = webhooks * 20,
        });
        var kubeconfig = server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"bench-kubeconfig-{Guid.NewGuid():N}"));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Host });
        await using var @operator = await OperatorHost.StartAsync(connectionString, kubeconfig, settings: new()
        {
            ["Operator:Workers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Operator:StatusInterval"] = null,
            ["Operator:MinStatusInterval"] = null,
            ["Operator:LeaderElection:LeaseDuration"] = null,
            ["Operator:LeaderElection:RenewDeadline"] = null,
            ["Operator:LeaderElection:RetryPeriod"] = null,
        });
        await client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "shared-token" }, StringData = new Dictionary<string, string> { ["header"] = "Bearer bench" } }, "default");

        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, webhooks), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(Webhook($"wh-{i:D4}"), V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural, cancellationToken: token));
        Console.WriteLine($"  created {webhooks} in {stopwatch.Elapsed.TotalSeconds:0.0} s");

        bool allReady;
        while (!(allReady = await CountReadyAsync(client) == webhooks && await CountRoutesAsync(connectionString) == webhooks) && stopwatch.Elapsed < Deadline)
        {
            await Task.Delay(100);
        }

        var untilReady = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"  all Ready with routes after {untilReady:0.0} s (target ≤ 20 s)");

        var (statusWrites, writes) = await CountWritesAsync(client, server.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), steadyState);
        Console.WriteLine($"  steady state: {statusWrites} status writes, {writes} writes of any kind to Webhooks in {steadyState.TotalSeconds:0} s (target 0)");

        var result = new OperatorScaleResult(webhooks, workers, Math.Round(untilReady, 2), allReady, (int)steadyState.TotalSeconds, statusWrites, writes);
        Directory.CreateDirectory(Path.Combine(root, "bench/results"));
        await File.WriteAllTextAsync(Path.Combine(root, "bench/results/operator-latest.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        File.Delete(kubeconfig);
        return result;
    }

    private static JsonElement Webhook(string name) => JsonSerializer.Deserialize<JsonElement>(KubernetesJson.Serialize(new V1Alpha1Webhook
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new WebhookSpec
        {
            Url = $"http://receiver.default.svc:8080/{name}",
            Events = ["audit_log_creation"],
            SecureMode = new SecureMode { Enabled = false },
            Headers = [new WebhookHeader { Name = "Authorization", ValueFrom = new ValueSource { SecretKeyRef = new SecretKeyReference { Name = "shared-token", Key = "header" } } }],
        },
    }));

    private static async Task<int> CountReadyAsync(Kubernetes client)
    {
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<V1Alpha1WebhookList>(V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural);
        return list.Items.Count(w => w.Status?.ObservedGeneration == w.Metadata.Generation && w.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true);
    }

    private static async Task<long> CountRoutesAsync(string connectionString)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("select count(*) from auditlog.routes");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Watches Webhooks from <paramref name="resourceVersion"/> and counts MODIFIED events, telling status-only changes apart.</summary>
    private static async Task<(int StatusWrites, int Writes)> CountWritesAsync(Kubernetes client, string resourceVersion, TimeSpan period)
    {
        using var window = new CancellationTokenSource(period);
        var (statusWrites, writes) = (0, 0);
        var last = new Dictionary<string, string>();
        try
        {
            await foreach (var (type, item) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural, resourceVersion: resourceVersion, cancellationToken: window.Token))
            {
                if (type is WatchEventType.Modified or WatchEventType.Added or WatchEventType.Deleted)
                {
                    writes++;
                    var webhook = KubernetesJson.Deserialize<V1Alpha1Webhook>(((JsonElement)item).GetRawText());
                    var spec = KubernetesJson.Serialize(webhook.Spec) + string.Join(",", webhook.Metadata.Finalizers ?? []);
                    if (last.TryGetValue(webhook.Metadata.Name, out var previous) && previous == spec)
                    {
                        statusWrites++;
                    }

                    last[webhook.Metadata.Name] = spec;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (statusWrites, writes);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Webhooks.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Webhooks.KubeApiServer;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Tests.Controller.Support;

/// <summary>An in-process API server with the Webhook CRD, a client for it, and shorthands for the objects the tests change.</summary>
internal sealed class KubeTestEnvironment : IAsyncDisposable
{
    private KubeTestEnvironment(KubeApiTestServer server)
    {
        Server = server;
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Host });
    }

    public KubeApiTestServer Server { get; }

    public Kubernetes Client { get; }

    public static async Task<KubeTestEnvironment> StartAsync(TimeSpan? bookmarkInterval = null, params string[] namespaces)
    {
        var server = await KubeApiTestServer.StartAsync(new KubeApiTestServerOptions
        {
            CustomResourceDefinitionFiles = [FindRepositoryFile("config/crds/auditlog.dev_webhooks.yaml")],
            BookmarkInterval = bookmarkInterval ?? TimeSpan.FromSeconds(1),
        });
        foreach (var ns in namespaces)
        {
            server.CreateNamespace(ns);
        }

        return new KubeTestEnvironment(server);
    }

    public static V1Alpha1Webhook Webhook(string name, string? secretName = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new WebhookSpec
        {
            Url = "https://receiver.example.com/hook",
            Events = ["audit_log_creation"],
            Headers = secretName is null
                ? null
                : [new WebhookHeader { Name = "Authorization", ValueFrom = new ValueSource { SecretKeyRef = new SecretKeyReference { Name = secretName, Key = "token" } } }],
        },
    };

    public Task<V1Alpha1Webhook> CreateWebhookAsync(string ns, string name, string? secretName = null) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync<V1Alpha1Webhook>(
            Webhook(name, secretName), V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, ns, V1Alpha1Webhook.Plural);

    public Task<V1Alpha1Webhook> UpdateWebhookAsync(string ns, string name, string displayName) =>
        Client.CustomObjects.PatchNamespacedCustomObjectAsync<V1Alpha1Webhook>(
            MergePatch(new JsonObject { ["spec"] = new JsonObject { ["displayName"] = displayName } }),
            V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, ns, V1Alpha1Webhook.Plural, name);

    public Task DeleteWebhookAsync(string ns, string name) =>
        Client.CustomObjects.DeleteNamespacedCustomObjectAsync(V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, ns, V1Alpha1Webhook.Plural, name);

    public Task<V1Secret> CreateSecretAsync(string ns, string name, string token = "first") =>
        Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = name }, StringData = new Dictionary<string, string> { ["token"] = token } },
            ns);

    public Task<V1Secret> UpdateSecretAsync(string ns, string name, string token) =>
        Client.CoreV1.PatchNamespacedSecretAsync(
            MergePatch(new JsonObject { ["stringData"] = new JsonObject { ["token"] = token } }), name, ns);

    public Task DeleteSecretAsync(string ns, string name) => Client.CoreV1.DeleteNamespacedSecretAsync(name, ns);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    private static V1Patch MergePatch(JsonObject patch) => new(patch.ToJsonString(), V1Patch.PatchType.MergePatch);

    private static string FindRepositoryFile(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relativePath} not found above {AppContext.BaseDirectory}");
    }
}

using System.Text.Json;
using k8s;
using k8s.Models;
using Testcontainers.K3s;
using Webhooks.EndToEnd.Tests.Support;
using Webhooks.Operator.Resources;
using Webhooks.TestSupport.Dispatcher;
using Webhooks.TestSupport.Operator;

namespace Webhooks.EndToEnd.Tests;

/// <summary>
/// The operator against a real Kubernetes API server (K3s in Docker, v1.29+ for CEL): the CRD is
/// installed, the samples applied, and every sample must become a Ready route. Skipped with a
/// one-line reason where no Docker engine answers.
/// </summary>
public sealed class K3sClusterTests
{
    private const string Image = "rancher/k3s:v1.31.4-k3s1";

    [DockerFact]
    public async Task Samples_OnARealCluster_BecomeReadyRoutes()
    {
        var root = RepositoryRoot();
        await using var k3s = new K3sBuilder(Image).Build();
        await k3s.StartAsync();
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"k3s-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(kubeconfig, await k3s.GetKubeconfigAsync());
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(Path.Combine(root, "config/crds/auditlog.dev_webhooks.yaml")));
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        await WaitAsync(async () => (await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name)).Status?.Conditions?
            .Any(c => c is { Type: "Established", Status: "True" }) == true, "the CRD is established");

        await using var dispatcher = await DispatcherHost.StartAsync();
        await using var @operator = await OperatorHost.StartAsync(dispatcher.ConnectionString, kubeconfig);
        var types = new Dictionary<string, Type> { [$"{V1Alpha1Webhook.ApiVersionName}/{V1Alpha1Webhook.KindName}"] = typeof(V1Alpha1Webhook), ["v1/Secret"] = typeof(V1Secret) };
        var names = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "config/samples"), "*.yaml").Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal)))
        {
            foreach (var document in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file), types))
            {
                switch (document)
                {
                    case V1Secret secret:
                        await client.CoreV1.CreateNamespacedSecretAsync(secret, "default");
                        break;
                    case V1Alpha1Webhook webhook:
                        names.Add(webhook.Metadata.Name);
                        await client.CustomObjects.CreateNamespacedCustomObjectAsync(
                            JsonSerializer.Deserialize<JsonElement>(KubernetesJson.Serialize(webhook)), V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural);
                        break;
                }
            }
        }

        await WaitAsync(async () => (await dispatcher.Routes.LoadAllAsync(CancellationToken.None)).Routes.Count == names.Count, "every sample is a route");
        foreach (var name in names)
        {
            await WaitAsync(async () =>
            {
                var raw = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(V1Alpha1Webhook.Group, V1Alpha1Webhook.Version, "default", V1Alpha1Webhook.Plural, name);
                var webhook = KubernetesJson.Deserialize<V1Alpha1Webhook>(raw.GetRawText());
                return webhook.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true && webhook.Status.ObservedGeneration == webhook.Metadata.Generation;
            }, $"{name} is Ready");
        }

        File.Delete(kubeconfig);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string because)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Timed out waiting until {because}");
            await Task.Delay(250);
        }
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

        throw new InvalidOperationException("Webhooks.sln not found above the test binaries");
    }
}

using System.Text;
using k8s;
using k8s.Models;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Files;

/// <summary>Reads every <c>*.yaml</c>/<c>*.yml</c> in a directory: Webhooks and Secrets, other kinds ignored.</summary>
public static class ManifestLoader
{
    private static readonly Dictionary<string, Type> Types = new()
    {
        [$"{V1Alpha1Webhook.ApiVersionName}/{V1Alpha1Webhook.KindName}"] = typeof(V1Alpha1Webhook),
        ["v1/Secret"] = typeof(V1Secret),
    };

    public static (List<V1Alpha1Webhook> Webhooks, List<V1Secret> Secrets, List<(string File, string Problem)> Problems) Load(string directory)
    {
        var webhooks = new List<V1Alpha1Webhook>();
        var secrets = new List<V1Secret>();
        var problems = new List<(string, string)>();
        var files = Directory.EnumerateFiles(directory, "*.*", SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => !Path.GetFileName(f).StartsWith("kustomization.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                foreach (var document in KubernetesYaml.LoadAllFromString(File.ReadAllText(file), Types))
                {
                    switch (document)
                    {
                        case V1Alpha1Webhook webhook:
                            webhook.Metadata.NamespaceProperty ??= "default";
                            webhooks.Add(webhook);
                            break;
                        case V1Secret secret:
                            secret.Metadata.NamespaceProperty ??= "default";
                            // The API server folds stringData into data; do the same.
                            secret.Data ??= new Dictionary<string, byte[]>();
                            foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>())
                            {
                                secret.Data[key] = Encoding.UTF8.GetBytes(value);
                            }

                            secrets.Add(secret);
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException or FormatException)
            {
                problems.Add((file, exception.Message));
            }
        }

        return (webhooks, secrets, problems);
    }
}

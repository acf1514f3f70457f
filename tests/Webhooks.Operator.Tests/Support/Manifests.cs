using System.Text;
using k8s.Models;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Tests.Support;

/// <summary>Webhooks and Secrets as tests need them.</summary>
public static class Manifests
{
    public static V1Alpha1Webhook Webhook(string name = "siem", string url = "https://siem.example.com/hook", string ns = "default") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new WebhookSpec
        {
            DisplayName = "WebhookTest",
            Url = url,
            Events = ["audit_log_creation"],
            Headers =
            [
                new WebhookHeader { Name = "Test", Value = "Webhook" },
                new WebhookHeader { Name = "Authorization", ValueFrom = new ValueSource { SecretKeyRef = new SecretKeyReference { Name = "siem-token", Key = "header" } } },
            ],
            SecureMode = new SecureMode { Enabled = true },
            Filter = new WebhookFilter { Categories = ["user"] },
        },
    };

    public static V1Secret Secret(string name, string key, string value, string ns = "default") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(value) },
    };

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Webhooks.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Webhooks.sln not found above the test binaries");
    }
}

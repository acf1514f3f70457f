namespace Webhooks.KubeApiServer.Kubeconfig;

/// <summary>Writes a kubeconfig for a plain-HTTP server without authentication, which kubectl accepts as is.</summary>
internal static class KubeconfigWriter
{
    public const string Name = "kube-api-test-server";

    public static string Render(Uri server, string defaultNamespace) =>
        $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {{Name}}
          cluster:
            server: {{server.GetLeftPart(UriPartial.Authority)}}
        users:
        - name: {{Name}}
          user: {}
        contexts:
        - name: {{Name}}
          context:
            cluster: {{Name}}
            user: {{Name}}
            namespace: {{defaultNamespace}}
        current-context: {{Name}}
        preferences: {}

        """;
}

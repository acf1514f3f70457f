namespace Webhooks.KubeApiServer.Kubeconfig;

/// <summary>
/// Writes a kubeconfig for the plain-HTTP server. The server checks no credentials, but the user
/// carries a token anyway: KubernetesClient refuses a kubeconfig user without any.
/// </summary>
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
          user:
            token: not-checked
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

using Webhooks.KubeApiServer.CommandLine;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Kubectl;

/// <summary>The real kubectl against the test server, asserting on what it prints.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private const string AlphaManifest = """
        apiVersion: test.kubeapi.dev/v1
        kind: Sink
        metadata:
          name: alpha
          labels: {team: a}
        spec:
          url: https://example.com/hook
          headers:
            - name: X-Token
              value: one
        """;

    private TestServer _server = null!;
    private CommandLine.Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _kubectl = new CommandLine.Kubectl(_server.Server);
    }

    public async Task DisposeAsync()
    {
        _kubectl.Dispose();
        await _server.DisposeAsync();
    }

    [KubectlFact]
    public async Task Apply_get_wide_and_yaml_show_the_resource_with_defaults_and_printer_columns()
    {
        var manifest = _kubectl.WriteManifest("alpha.yaml", AlphaManifest);
        var applied = await _kubectl.RunAsync("apply", "-f", manifest);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal("sink.test.kubeapi.dev/alpha created", applied.Stdout.Trim());

        var get = await _kubectl.RunAsync("get", "sinks");
        var lines = get.Stdout.Trim().Split('\n');
        Assert.Matches(@"^NAME\s+URL\s+MODE\s+READY\s+AGE$", lines[0]);
        Assert.Matches(@"^alpha\s+https://example.com/hook\s+Push\s+\d+s$", lines[1]);

        var wide = await _kubectl.RunAsync("get", "sk", "-o", "wide");
        Assert.Matches(@"RETRIES", wide.Stdout);
        Assert.Matches(@"alpha\s+https://example.com/hook\s+Push\s+3\s+\d+s", wide.Stdout);

        var yaml = await _kubectl.RunAsync("get", "sink", "alpha", "-o", "yaml");
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", yaml.Stdout);
        Assert.Contains("generation: 1", yaml.Stdout);
        Assert.Contains("retries: 3", yaml.Stdout);
        Assert.Contains("mode: Push", yaml.Stdout);

        var reapplied = await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("alpha2.yaml", AlphaManifest.Replace("value: one", "value: two", StringComparison.Ordinal)));
        Assert.True(reapplied.ExitCode == 0, reapplied.ToString());
        Assert.Equal("sink.test.kubeapi.dev/alpha configured", reapplied.Stdout.Trim());
        var unchanged = await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("alpha3.yaml", AlphaManifest.Replace("value: one", "value: two", StringComparison.Ordinal)));
        Assert.Equal("sink.test.kubeapi.dev/alpha unchanged", unchanged.Stdout.Trim());

        var value = await _kubectl.RunAsync("get", "sink", "alpha", "-o", "jsonpath={.spec.headers[0].value} {.metadata.generation}");
        Assert.Equal("two 2", value.Stdout);
    }

    [KubectlFact]
    public async Task Status_patch_shows_in_ready_column_and_describe()
    {
        await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("alpha.yaml", AlphaManifest));
        var patch = await _kubectl.RunAsync("patch", "sink", "alpha", "--subresource=status", "--type=merge", "-p", """{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Delivered"}]}}""");
        Assert.True(patch.ExitCode == 0, patch.ToString());

        var get = await _kubectl.RunAsync("get", "sinks");
        Assert.Matches(@"alpha\s+https://example.com/hook\s+Push\s+True\s+\d+s", get.Stdout);

        var describe = await _kubectl.RunAsync("describe", "sink", "alpha");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Matches(@"Name:\s+alpha", describe.Stdout);
        Assert.Matches(@"Labels:\s+team=a", describe.Stdout);
        Assert.Matches(@"Reason:\s+Delivered", describe.Stdout);
        Assert.Matches(@"Events:\s+<none>", describe.Stdout);
    }

    [KubectlFact]
    public async Task Invalid_objects_are_reported_verbatim()
    {
        var manifest = _kubectl.WriteManifest("bad.yaml", """
            apiVersion: test.kubeapi.dev/v1
            kind: Sink
            metadata:
              name: bad
            spec:
              url: ftp://example.com
              mode: Sideways
              headers:
                - name: X-Both
                  value: a
                  valueFrom: {secretKeyRef: {name: s, key: k}}
            """);
        var result = await _kubectl.RunAsync("apply", "-f", manifest);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The Sink \"bad\" is invalid:", result.Stderr);
        Assert.Contains("* spec.mode: Unsupported value: \"Sideways\": supported values: \"Push\", \"Pull\"", result.Stderr);
        Assert.Contains("* spec.url: Invalid value: \"ftp://example.com\": spec.url in body should match '^https?://'", result.Stderr);
        Assert.Contains("* spec: Invalid value: \"object\": each header needs exactly one of value or valueFrom", result.Stderr);
    }

    [KubectlFact]
    public async Task Unknown_fields_are_refused_by_strict_validation()
    {
        var manifest = _kubectl.WriteManifest("unknown.yaml", AlphaManifest.Replace("  url:", "  bogus: 1\n  url:", StringComparison.Ordinal));
        var result = await _kubectl.RunAsync("apply", "-f", manifest);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.bogus\"", result.Stderr);
    }

    [KubectlFact]
    public async Task Delete_removes_the_resource()
    {
        await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("alpha.yaml", AlphaManifest));
        var delete = await _kubectl.RunAsync("delete", "sink", "alpha");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Equal("sink.test.kubeapi.dev \"alpha\" deleted", delete.Stdout.Trim());

        var get = await _kubectl.RunAsync("get", "sink", "alpha");
        Assert.NotEqual(0, get.ExitCode);
        Assert.Contains("Error from server (NotFound): sinks.test.kubeapi.dev \"alpha\" not found", get.Stderr);
    }

    [KubectlFact]
    public async Task Get_watch_streams_changes_as_table_rows()
    {
        await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("alpha.yaml", AlphaManifest));
        using var watch = _kubectl.Stream("get", "sinks", "-w", "--request-timeout=20s");
        await Eventually.TrueAsync(() => _server.Server.ActiveWatchCount == 1, "kubectl opened its watch");
        await Eventually.TrueAsync(() => watch.Lines.Count >= 2, "kubectl printed the initial list");

        var patch = await _kubectl.RunAsync("patch", "sink", "alpha", "--type=merge", "-p", """{"spec":{"mode":"Pull"}}""");
        Assert.True(patch.ExitCode == 0, patch.ToString());
        await Eventually.TrueAsync(() => watch.Lines.Any(l => l.Contains("Pull", StringComparison.Ordinal)), $"the change was streamed: {string.Join('|', watch.Lines)} {watch.Errors}");

        Assert.Matches(@"^NAME\s+URL\s+MODE\s+READY\s+AGE$", watch.Lines[0]);
        Assert.Matches(@"^alpha\s+https://example.com/hook\s+Push\s+\d+s$", watch.Lines[1]);
        Assert.Matches(@"^alpha\s+https://example.com/hook\s+Pull\s+\d+s$", watch.Lines.Last(l => l.Contains("Pull", StringComparison.Ordinal)));
    }

    [KubectlFact]
    public async Task Secrets_and_namespaces_work_through_apply_and_create()
    {
        var created = await _kubectl.RunAsync("create", "namespace", "team-a");
        Assert.True(created.ExitCode == 0, created.ToString());
        var secret = _kubectl.WriteManifest("secret.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: token, namespace: team-a}
            stringData: {token: s3cr3t}
            """);
        var applied = await _kubectl.RunAsync("apply", "-f", secret);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var again = await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("secret2.yaml", File.ReadAllText(secret).Replace("s3cr3t", "other", StringComparison.Ordinal)));
        Assert.Equal("secret/token configured", again.Stdout.Trim());

        var get = await _kubectl.RunAsync("get", "secrets", "-n", "team-a");
        Assert.Matches(@"token\s+Opaque\s+1\s+\d+s", get.Stdout);
        var data = await _kubectl.RunAsync("get", "secret", "token", "-n", "team-a", "-o", "jsonpath={.data.token}");
        Assert.Equal(Convert.ToBase64String("other"u8.ToArray()), data.Stdout);

        var imperative = await _kubectl.RunAsync("create", "secret", "generic", "literal", "-n", "team-a", "--from-literal=key=value");
        Assert.True(imperative.ExitCode == 0, imperative.ToString());
        var missingNamespace = await _kubectl.RunAsync("apply", "-n", "nowhere", "-f", _kubectl.WriteManifest("alpha.yaml", AlphaManifest));
        Assert.Contains("namespaces \"nowhere\" not found", missingNamespace.Stderr);
    }

    [KubectlFact]
    public async Task Describe_shows_events_recorded_for_the_object()
    {
        await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("alpha.yaml", AlphaManifest));
        var uid = (await _kubectl.RunAsync("get", "sink", "alpha", "-o", "jsonpath={.metadata.uid}")).Stdout;
        var eventJson = $$"""
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"alpha.1"},
             "regarding":{"apiVersion":"test.kubeapi.dev/v1","kind":"Sink","name":"alpha","namespace":"default","uid":"{{uid}}"},
             "reason":"Synced","note":"endpoint verified","type":"Normal","action":"Verify",
             "eventTime":"{{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.ffffffZ}}","reportingController":"test","reportingInstance":"test-1"}
            """;
        var response = await _server.SendAsync(HttpMethod.Post, "/apis/events.k8s.io/v1/namespaces/default/events", eventJson);
        Assert.True(response.Code == 201, response.ToString());

        var describe = await _kubectl.RunAsync("describe", "sink", "alpha");
        Assert.Matches(@"Normal\s+Synced\s+.*endpoint verified", describe.Stdout);
        var events = await _kubectl.RunAsync("get", "events");
        Assert.Matches(@"Normal\s+Synced\s+sink/alpha\s+endpoint verified", events.Stdout);
    }
}

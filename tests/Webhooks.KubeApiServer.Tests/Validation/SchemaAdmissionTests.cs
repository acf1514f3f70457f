using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Validation;

/// <summary>Custom resource admission: schema validation, CEL rules, defaults and pruning.</summary>
public sealed class SchemaAdmissionTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Defaults_are_applied_on_create()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        Assert.Equal("""{"url":"https://example.com/hook","mode":"Push","retries":3,"headers":[]}""", created["spec"]!.ToJsonString());
    }

    [Fact]
    public async Task Missing_required_field_is_reported_with_reason_and_field()
    {
        var response = await _server.CreateSinkAsync(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "a" }, ["spec"] = new JsonObject() });
        Assert.Equal(422, response.Code);
        Assert.Equal("Sink.test.kubeapi.dev \"a\" is invalid: spec.url: Required value", response.Str("message"));
        Assert.Equal("Invalid", response.Str("reason"));
        Assert.Equal("""[{"reason":"FieldValueRequired","message":"Required value","field":"spec.url"}]""", response.Body!["details"]!["causes"]!.ToJsonString());
        Assert.Equal("Sink", response.Str("details", "kind"));
        Assert.Equal("test.kubeapi.dev", response.Str("details", "group"));
    }

    [Theory]
    [InlineData("""{"url":"https://x","retries":"many"}""", "spec.retries: Invalid value: \"string\": spec.retries in body must be of type integer: \"string\"", "FieldValueTypeInvalid")]
    [InlineData("""{"url":"https://x","mode":"Later"}""", "spec.mode: Unsupported value: \"Later\": supported values: \"Push\", \"Pull\"", "FieldValueNotSupported")]
    [InlineData("""{"url":"mailto:x"}""", "spec.url: Invalid value: \"mailto:x\": spec.url in body should match '^https?://'", "FieldValueInvalid")]
    [InlineData("""{"url":"https://x","retries":-1}""", "spec.retries: Invalid value: -1: spec.retries in body should be greater than or equal to 0", "FieldValueInvalid")]
    [InlineData("""{"url":"https://x","headers":[{"name":"","value":"v"}]}""", "spec.headers[0].name: Invalid value: \"\": spec.headers[0].name in body should be at least 1 chars long", "FieldValueInvalid")]
    [InlineData("""{"url":"https://x","headers":[{"value":"v"}]}""", "spec.headers[0].name: Required value", "FieldValueRequired")]
    public async Task Schema_violations_are_rejected_like_the_api_server(string spec, string expected, string reason)
    {
        var sink = TestServer.Sink("a", spec: JsonNode.Parse(spec)!.AsObject());
        var response = await _server.CreateSinkAsync(sink);
        Assert.Equal(422, response.Code);
        Assert.Equal($"Sink.test.kubeapi.dev \"a\" is invalid: {expected}", response.Str("message"));
        Assert.Equal(reason, response.Body!["details"]!["causes"]![0]!["reason"]!.ToString());
    }

    [Fact]
    public async Task Cel_rule_failure_reports_the_rule_message()
    {
        var spec = JsonNode.Parse("""{"url":"https://x","headers":[{"name":"A","value":"v","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}""")!.AsObject();
        var response = await _server.CreateSinkAsync(TestServer.Sink("a", spec: spec));
        Assert.Equal(422, response.Code);
        Assert.Equal("Sink.test.kubeapi.dev \"a\" is invalid: spec: Invalid value: \"object\": each header needs exactly one of value or valueFrom", response.Str("message"));
        Assert.Equal("""{"reason":"FieldValueInvalid","message":"Invalid value: \"object\": each header needs exactly one of value or valueFrom","field":"spec"}""", response.Body!["details"]!["causes"]![0]!.ToJsonString(TestJson.Relaxed));
    }

    [Fact]
    public async Task Cel_message_expression_is_rendered()
    {
        var spec = JsonNode.Parse("""{"url":"https://x","labels":{"a":"1","x-b":"2"}}""")!.AsObject();
        var response = await _server.CreateSinkAsync(TestServer.Sink("a", spec: spec));
        Assert.Equal("Sink.test.kubeapi.dev \"a\" is invalid: spec.labels: Invalid value: \"object\": label keys must start with x- (found a)", response.Str("message"));
    }

    [Fact]
    public async Task Several_errors_are_listed_in_brackets()
    {
        var spec = JsonNode.Parse("""{"url":"nope","mode":"Later"}""")!.AsObject();
        var response = await _server.CreateSinkAsync(TestServer.Sink("a", spec: spec));
        var message = response.Str("message")!;
        Assert.StartsWith("Sink.test.kubeapi.dev \"a\" is invalid: [", message);
        Assert.EndsWith("]", message);
        Assert.Contains("spec.mode: Unsupported value: \"Later\": supported values: \"Push\", \"Pull\"", message);
        Assert.Contains("spec.url: Invalid value: \"nope\"", message);
        Assert.Equal(2, response.Body!["details"]!["causes"]!.AsArray().Count);
    }

    [Fact]
    public async Task Validation_runs_on_update_too()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var response = await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"spec":{"retries":11}}""", "application/merge-patch+json");
        Assert.Equal(422, response.Code);
        Assert.Contains("spec.retries in body should be less than or equal to 10", response.Str("message"));
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_with_a_warning_or_refused_when_strict()
    {
        var sink = TestServer.Sink("a");
        sink["spec"]!["extra"] = true;
        var pruned = await _server.CreateSinkAsync(sink);
        Assert.Equal(201, pruned.Code);
        Assert.Null(pruned.Body!["spec"]!["extra"]);
        Assert.Contains(pruned.Warnings, w => w.Contains("unknown field \\\"spec.extra\\\"", StringComparison.Ordinal));

        sink["metadata"]!["name"] = "b";
        var strict = await _server.SendAsync(HttpMethod.Post, TestServer.SinksPath + "?fieldValidation=Strict", sink);
        Assert.Equal(400, strict.Code);
        Assert.Equal("Sink in version \"v1\" cannot be handled as a Sink: strict decoding error: unknown field \"spec.extra\"", strict.Str("message"));
    }

    [Fact]
    public async Task Invalid_names_are_rejected()
    {
        var response = await _server.CreateSinkAsync(TestServer.Sink("Not_Valid"));
        Assert.Equal(422, response.Code);
        Assert.StartsWith("Sink.test.kubeapi.dev \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 subdomain", response.Str("message"));
    }
}

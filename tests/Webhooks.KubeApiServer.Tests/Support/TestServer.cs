using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Tests.Support;

/// <summary>Starts a server with the sample <c>Sink</c> CRD loaded and offers raw HTTP helpers.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string SinksPath = "/apis/test.kubeapi.dev/v1/namespaces/default/sinks";

    private TestServer(KubeApiTestServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
    }

    public KubeApiTestServer Server { get; }

    public HttpClient Http { get; }

    public static string SampleCrdPath => Path.Combine(AppContext.BaseDirectory, "TestData", "sinks.test.kubeapi.dev.yaml");

    public static async Task<TestServer> StartAsync(KubeApiTestServerOptions? options = null)
    {
        var server = await KubeApiTestServer.StartAsync(new KubeApiTestServerOptions
        {
            CustomResourceDefinitionFiles = [SampleCrdPath],
            TimeProvider = options?.TimeProvider ?? TimeProvider.System,
            BookmarkInterval = options?.BookmarkInterval ?? TimeSpan.FromSeconds(1),
            WatchHistoryLimit = options?.WatchHistoryLimit ?? 1000,
        });
        return new TestServer(server);
    }

    public static JsonObject Sink(string name, string url = "https://example.com/hook", JsonObject? spec = null)
    {
        spec ??= new JsonObject();
        spec["url"] ??= url;
        return new JsonObject
        {
            ["apiVersion"] = "test.kubeapi.dev/v1",
            ["kind"] = "Sink",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
    }

    public Task<Response> SendAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json", string? accept = null) =>
        SendAsync(method, path, body?.ToJsonString(), contentType, accept);

    public async Task<Response> SendAsync(HttpMethod method, string path, string? body, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var warnings = response.Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
        return new Response((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject, warnings);
    }

    public Task<Response> CreateSinkAsync(JsonObject sink) => SendAsync(HttpMethod.Post, SinksPath, sink);

    public async Task<JsonObject> CreateSinkOkAsync(JsonObject sink)
    {
        var response = await CreateSinkAsync(sink);
        Assert.True(response.Code == 201, response.ToString());
        return response.Body!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    public sealed record Response(int Code, JsonObject? Body, IReadOnlyList<string> Warnings)
    {
        public override string ToString() => $"{Code} {Body?.ToJsonString()}";

        public string? Str(params string[] path)
        {
            JsonNode? node = Body;
            foreach (var segment in path)
            {
                node = node?[segment];
            }

            return node?.ToString();
        }
    }
}

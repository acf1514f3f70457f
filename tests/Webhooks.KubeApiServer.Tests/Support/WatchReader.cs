using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Tests.Support;

/// <summary>Opens a raw watch stream and reads its newline-delimited events one at a time, each with a deadline.</summary>
public sealed class WatchReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private WatchReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<WatchReader> OpenAsync(HttpClient http, string pathAndQuery, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        return new WatchReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event, or null when the server closed the stream.</summary>
    public async Task<JsonObject?> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var line = await _reader.ReadLineAsync(deadline.Token);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }

    public async Task<JsonObject> NextOfTypeAsync(string type)
    {
        while (true)
        {
            var next = await NextAsync() ?? throw new InvalidOperationException($"stream ended before a {type} event");
            if (next["type"]!.ToString() == type)
            {
                return next;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}

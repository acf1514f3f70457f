using System.Net;
using System.Net.Http.Headers;
using Webhooks.Benchmarks.Infrastructure;

namespace Webhooks.Benchmarks.Load;

/// <summary>A producer: posts NDJSON batches to <c>/v1/audit-logs</c> and notes when each 202 arrived.</summary>
public sealed class IngestClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Ndjson = new("application/x-ndjson");
    private readonly HttpClient _client;

    public IngestClient(Uri dispatcher, string token)
    {
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseCookies = false })
        {
            BaseAddress = dispatcher,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Posts one batch; returns the <see cref="Clock.Now"/> of its 202 (the ingest commit). Anything else throws.</summary>
    public async Task<long> PostAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Ndjson;
        using var response = await _client.PostAsync(new Uri("/v1/audit-logs", UriKind.Relative), content, cancellationToken);
        var acceptedAt = Clock.Now;
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return acceptedAt;
    }

    public void Dispose() => _client.Dispose();
}

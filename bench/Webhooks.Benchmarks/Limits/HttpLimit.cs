using System.Net;
using System.Net.Http.Headers;
using Webhooks.Benchmarks.Infrastructure;
using Webhooks.Benchmarks.Load;
using Webhooks.Benchmarks.Reporting;

namespace Webhooks.Benchmarks.Limits;

/// <summary>
/// The HTTP ceiling: the same receivers, the same body and headers, the same number of requests
/// in flight per endpoint as the dispatcher allows, sent from a tight HttpClient loop with no
/// database anywhere. Bounded by time and by count.
/// </summary>
public static class HttpLimit
{
    private const long MaxRequests = 5_000_000;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<LimitResult> RunAsync(IReadOnlyList<Receiver> receivers, int perEndpoint, TimeSpan duration, int run, CancellationToken cancellationToken)
    {
        var payload = AuditRecords.WirePayload("evt_raw-00000000");
        using var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = perEndpoint,
        })
        {
            Timeout = TimeSpan.FromSeconds(15),
        };

        long issued = 0;
        long completed = 0;
        var machineStart = CpuMeter.MachineBusySeconds();
        var start = Clock.Now;
        var stop = Clock.After(start, duration);
        async Task LoopAsync(Uri url)
        {
            while (Clock.Now < stop && Interlocked.Increment(ref issued) <= MaxRequests)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(payload) };
                request.Content.Headers.ContentType = Json;
                request.Headers.TryAddWithoutValidation("User-Agent", "Kondukto-Webhook/1.0");
                request.Headers.TryAddWithoutValidation("X-KONDUKTO-ORG-ID", AuditRecords.ThroughputOrganization);
                request.Headers.TryAddWithoutValidation("Test", "Webhook");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                await response.Content.CopyToAsync(Stream.Null, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"receiver answered {(int)response.StatusCode}");
                }

                Interlocked.Increment(ref completed);
            }
        }

        await Task.WhenAll(receivers.SelectMany(r => Enumerable.Range(0, perEndpoint).Select(_ => Task.Run(() => LoopAsync(r.Url(Receiver.RawPath)), cancellationToken))));
        var seconds = Clock.Seconds(start, Clock.Now);
        return new LimitResult("http", run, completed, Math.Round(seconds, 1), Math.Round(completed / seconds), receivers.Count * perEndpoint,
            $"HttpClient POST loop, {receivers.Count} receivers x {perEndpoint} in flight, same body and headers, no database",
            Math.Round((CpuMeter.MachineBusySeconds() - machineStart) / seconds, 2));
    }
}

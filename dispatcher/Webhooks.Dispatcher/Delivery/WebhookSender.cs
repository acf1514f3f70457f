using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Webhooks.Storage.Deliveries;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Sends one attempt over the shared pooled client and describes it, request and response, as
/// an <see cref="AttemptResult"/>. Never throws for a failed send: failures are outcomes.
/// </summary>
public sealed class WebhookSender(HttpClient client, IOptions<DeliveryOptions> options, TimeProvider timeProvider)
{
    public const string HttpClientName = "webhooks";
    private const string Redacted = "***";
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    public async Task<AttemptResult> SendAsync(RouteDefinition route, ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = PayloadWriter.Write(delivery.Record);
        using var request = new HttpRequestMessage(HttpMethod.Post, route.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonContentType;
        var recordedHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = JsonContentType.MediaType!,
        };
        AddHeader(request, recordedHeaders, "User-Agent", settings.UserAgent, secret: false);
        AddHeader(request, recordedHeaders, "X-KONDUKTO-ORG-ID", delivery.Record.OrganizationId, secret: false);
        foreach (var header in route.Headers)
        {
            AddHeader(request, recordedHeaders, header.Name, header.Value, header.FromSecret);
        }

        var attemptedAt = timeProvider.GetUtcNow();
        var started = timeProvider.GetTimestamp();
        int? status = null;
        string? responseHeaders = null;
        string? responseBody = null;
        string? errorClass = null;
        string? errorMessage = null;
        TimeSpan? retryAfter = null;
        using var timeout = new CancellationTokenSource(route.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            status = (int)response.StatusCode;
            responseHeaders = JsonSerializer.Serialize(
                response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase),
                DispatcherJson.Default.DictionaryStringString);
            responseBody = await ReadTruncatedAsync(response.Content, settings.MaxResponseBodyBytes, linked.Token);
            retryAfter = RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, timeProvider.GetUtcNow());
            if (!RetryPolicy.IsSuccess(status.Value))
            {
                errorClass = ErrorClasses.HttpStatus;
                errorMessage = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            (errorClass, errorMessage) = ErrorClasses.Classify(exception);
        }

        var duration = timeProvider.GetElapsedTime(started);
        var (outcome, next) = RetryPolicy.Decide(route, delivery.Attempt, status, retryAfter, timeProvider.GetUtcNow(), settings.MaxRetryAfter, Random.Shared.NextDouble());
        return new AttemptResult
        {
            DeliveryId = delivery.Id,
            RouteUid = route.Uid,
            EventId = delivery.Record.EventId,
            Attempt = delivery.Attempt,
            EventReceivedAt = delivery.ReceivedAt,
            AttemptedAt = attemptedAt,
            Duration = duration,
            Outcome = outcome,
            NextAttemptAt = next,
            RequestUrl = RedactedUrl(route),
            RequestHeaders = JsonSerializer.Serialize(recordedHeaders, DispatcherJson.Default.DictionaryStringString),
            RequestBody = Encoding.UTF8.GetString(body),
            ResponseStatus = status,
            ResponseHeaders = responseHeaders,
            ResponseBody = responseBody,
            ErrorClass = errorClass,
            ErrorMessage = errorMessage,
            DisableRouteReason = status == 410 ? "the endpoint answered 410 Gone" : null,
        };
    }

    /// <summary>A URL that came from a Secret may carry a token in its path or query: record only where it points.</summary>
    public static string RedactedUrl(RouteDefinition route) =>
        !route.UrlFromSecret ? route.Url
        : Uri.TryCreate(route.Url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/{Redacted}"
        : Redacted;

    private static void AddHeader(HttpRequestMessage request, Dictionary<string, string> recorded, string name, string value, bool secret)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
        recorded[name] = secret ? Redacted : value;
    }

    private static async Task<string> ReadTruncatedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (limit == 0)
        {
            return string.Empty;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var read = 0;
        while (read < limit)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        // A cut through a multi-byte character decodes to U+FFFD: the record stays valid text.
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}

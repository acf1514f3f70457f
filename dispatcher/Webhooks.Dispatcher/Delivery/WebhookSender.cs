using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Webhooks.Dispatcher.Delivery.Destinations;
using Webhooks.Dispatcher.Delivery.Signing;
using Webhooks.Dispatcher.Delivery.Transport;
using Webhooks.Storage.Deliveries;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Sends one attempt and describes it, request and response, as an <see cref="AttemptResult"/>.
/// In secure mode it sends only to https:// and signs the request (Standard Webhooks). Never
/// throws for a failed send: failures are outcomes.
/// </summary>
public sealed class WebhookSender(DeliveryHttpClients clients, IOptions<DeliveryOptions> options, TimeProvider timeProvider, ILogger<WebhookSender> logger)
{
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
        // Signature headers are recorded: a signature is not a key, and a receiver's complaint is easier to check with it.
        var refusal = route.Secure ? ApplySecureMode(route, request, recordedHeaders, delivery.Record.EventId, attemptedAt, body) : null;
        var exchange = refusal ?? await ExchangeAsync(route, request, settings, cancellationToken);
        var duration = timeProvider.GetElapsedTime(started);
        var (outcome, next) = RetryPolicy.Decide(
            route, delivery.Attempt, exchange.Status, exchange.RetryAfter, timeProvider.GetUtcNow(), settings.MaxRetryAfter, Random.Shared.NextDouble(), exchange.ErrorClass);
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
            ResponseStatus = exchange.Status,
            ResponseHeaders = exchange.ResponseHeaders,
            ResponseBody = exchange.ResponseBody,
            ErrorClass = exchange.ErrorClass,
            ErrorMessage = exchange.ErrorMessage,
            DisableRouteReason = exchange.Status == 410 ? "the endpoint answered 410 Gone" : null,
        };
    }

    /// <summary>
    /// Secure mode: https only, whatever the CRD let through (defence in depth), and the Standard
    /// Webhooks headers, signed with every key the route has. Returns the refusal, if any.
    /// </summary>
    private static Exchange? ApplySecureMode(
        RouteDefinition route, HttpRequestMessage request, Dictionary<string, string> recordedHeaders, string eventId, DateTimeOffset now, byte[] body)
    {
        if (request.RequestUri?.Scheme != Uri.UriSchemeHttps)
        {
            return Exchange.Refused(ErrorClasses.InsecureUrl, $"secure mode sends only to https:// URLs and this webhook's URL is {request.RequestUri?.Scheme}://; use https, or turn secure mode off");
        }

        if (!SigningKeys.TryDecode(route.SigningKeys, out var keys, out var error))
        {
            return Exchange.Refused(ErrorClasses.SigningKey, $"{error}; secure mode never sends unsigned");
        }

        var timestamp = StandardWebhookSignature.Timestamp(now);
        AddHeader(request, recordedHeaders, StandardWebhookSignature.IdHeader, eventId, secret: false);
        AddHeader(request, recordedHeaders, StandardWebhookSignature.TimestampHeader, timestamp, secret: false);
        AddHeader(request, recordedHeaders, StandardWebhookSignature.SignatureHeader, StandardWebhookSignature.Sign(keys, eventId, timestamp, body), secret: false);
        return null;
    }

    private async Task<Exchange> ExchangeAsync(
        RouteDefinition route, HttpRequestMessage request, DeliveryOptions settings, CancellationToken cancellationToken)
    {
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
            using var lease = clients.Acquire(route);
            using var response = await lease.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
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
            if (Find<BlockedDestinationException>(exception) is { } blocked)
            {
                Log.DestinationBlocked(logger, route.Namespace, route.Name, blocked.Message);
                Metrics.Blocked(route, blocked.BlockedAs);
            }
        }

        return new Exchange(status, responseHeaders, responseBody, retryAfter, errorClass, errorMessage);
    }

    /// <summary>What came back, or why nothing was sent.</summary>
    private sealed record Exchange(int? Status, string? ResponseHeaders, string? ResponseBody, TimeSpan? RetryAfter, string? ErrorClass, string? ErrorMessage)
    {
        public static Exchange Refused(string errorClass, string message) => new(null, null, null, null, errorClass, message);
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
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

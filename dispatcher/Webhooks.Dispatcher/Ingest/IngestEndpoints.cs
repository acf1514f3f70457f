using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Storage.Events;

namespace Webhooks.Dispatcher.Ingest;

public sealed record IngestResponse(int Accepted, int Duplicates, IReadOnlyList<string> EventIds);

/// <summary>RFC 7807 problem details, with one entry per invalid field.</summary>
public sealed record IngestProblem(string Type, string Title, int Status, string Detail, IReadOnlyList<FieldError>? Errors = null);

/// <summary><c>POST /v1/audit-logs</c>: authenticated, validated, and answered 202 only once committed.</summary>
public static class IngestEndpoints
{
    public const string Path = "/v1/audit-logs";
    private const string NdjsonMediaType = "application/x-ndjson";

    public static IEndpointRouteBuilder MapIngest(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync);
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        BearerTokenAuthenticator authenticator,
        EventRepository events,
        IOptions<IngestOptions> options,
        TimeProvider timeProvider,
        ILogger<IngestOptions> logger,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!authenticator.IsAuthorized(context.Request.Headers.Authorization))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            Metrics.Ingested("rejected", 1);
            return Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "A valid bearer token is required in the Authorization header.");
        }

        var mediaType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var ndjson = mediaType is NdjsonMediaType or "application/jsonl";
        if (!ndjson && mediaType is not ("application/json" or null) && mediaType?.EndsWith("+json", StringComparison.Ordinal) != true)
        {
            Metrics.Ingested("rejected", 1);
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Content-Type '{mediaType}' is not accepted; send application/json (one record or an array) or {NdjsonMediaType}.");
        }

        var body = await ReadLimitedAsync(context, settings.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            Metrics.Ingested("rejected", 1);
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body exceeds {settings.MaxBodyBytes} bytes; split it into smaller batches.");
        }

        var (records, errors) = AuditRecordParser.Parse(body.Value, ndjson, timeProvider.GetUtcNow);
        if (errors.Count == 0 && records.Count == 0)
        {
            errors = [new FieldError(0, "$", "must contain at least one audit record")];
        }
        else if (records.Count > settings.MaxRecordsPerRequest)
        {
            errors = [new FieldError(settings.MaxRecordsPerRequest, "$", $"must contain at most {settings.MaxRecordsPerRequest} records")];
        }

        if (errors.Count > 0)
        {
            Metrics.Ingested("rejected", 1);
            var first = errors[0];
            return Problem(StatusCodes.Status400BadRequest, "Invalid audit records",
                $"{errors.Count} problem(s); first: record {first.Index}, {first.Field} {first.Message}. Nothing was accepted.", errors);
        }

        IReadOnlySet<string> inserted;
        try
        {
            inserted = await events.InsertAsync(records, "http", timeProvider.GetUtcNow(), cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            Log.IngestUnavailable(logger, exception);
            context.Response.Headers.RetryAfter = "5";
            return Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable", "The audit records were not stored; retry the same request (it is idempotent on event_id).");
        }

        var duplicates = records.Count - inserted.Count;
        Metrics.Ingested("accepted", inserted.Count);
        Metrics.Ingested("duplicate", duplicates);
        return Results.Json(new IngestResponse(inserted.Count, duplicates, records.Select(r => r.EventId).ToList()), DispatcherJson.Default.IngestResponse, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The body, or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadLimitedAsync(HttpContext context, int limit, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }

        // Kestrel's own limit sits just above ours so an oversized chunked body is cut off early.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1L;
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit + 1, 64 * 1024));
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(8192);
                var read = await context.Request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    return buffer.WrittenMemory;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    private static IResult Problem(int status, string title, string detail, IReadOnlyList<FieldError>? errors = null) =>
        Results.Json(new IngestProblem($"https://auditlog.dev/problems/{title.ToLowerInvariant().Replace(' ', '-')}", title, status, detail, errors),
            DispatcherJson.Default.IngestProblem, contentType: "application/problem+json", statusCode: status);
}

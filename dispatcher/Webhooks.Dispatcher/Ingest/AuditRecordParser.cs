using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Webhooks.Storage.Events;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Ingest;

/// <summary>One problem with one field of one record.</summary>
public sealed record FieldError(int Index, string Field, string Message);

/// <summary>
/// Parses and validates audit records: a single JSON object, a JSON array of them, or NDJSON.
/// Every problem is reported, each naming its record and field. The rules mirror
/// <c>auditlog.enqueue</c> in SQL; a test feeds both the same invalid records.
/// </summary>
public static partial class AuditRecordParser
{
    private static readonly string[] RecordFields = ["data", "event_category", "event_id", "occurred_at", "organization_id"];
    private static readonly string[] DataFields = ["actor", "date", "description", "event_category", "event_name"];
    private static readonly string[] ActorFields = ["ip", "user_agent", "username"];

    public static (IReadOnlyList<AuditRecord> Records, IReadOnlyList<FieldError> Errors) Parse(ReadOnlyMemory<byte> body, bool ndjson, Func<DateTimeOffset> now)
    {
        var records = new List<AuditRecord>();
        var errors = new List<FieldError>();
        if (ndjson)
        {
            var index = 0;
            foreach (var line in SplitLines(body))
            {
                ParseDocument(line, index++, records, errors, now);
            }
        }
        else
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException exception)
            {
                errors.Add(new FieldError(0, "$", $"is not valid JSON: {exception.Message}"));
                return (records, errors);
            }

            using (document)
            {
                if (document.RootElement.ValueKind == JsonValueKind.Array)
                {
                    var index = 0;
                    foreach (var element in document.RootElement.EnumerateArray())
                    {
                        Validate(element, index++, records, errors, now);
                    }
                }
                else
                {
                    Validate(document.RootElement, 0, records, errors, now);
                }
            }
        }

        return (records, errors);
    }

    private static void ParseDocument(ReadOnlyMemory<byte> line, int index, List<AuditRecord> records, List<FieldError> errors, Func<DateTimeOffset> now)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            Validate(document.RootElement, index, records, errors, now);
        }
        catch (JsonException exception)
        {
            errors.Add(new FieldError(index, "$", $"is not valid JSON: {exception.Message}"));
        }
    }

    private static List<ReadOnlyMemory<byte>> SplitLines(ReadOnlyMemory<byte> body)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var rest = body;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            if (!IsBlank(line.Span))
            {
                lines.Add(line);
            }

            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
        }

        return lines;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    private static void Validate(JsonElement element, int index, List<AuditRecord> records, List<FieldError> errors, Func<DateTimeOffset> now)
    {
        var before = errors.Count;
        var context = new Context(index, errors);
        if (!context.Object(element, "$", RecordFields))
        {
            return;
        }

        if (element.TryGetProperty("event_category", out var category)
            && (category.ValueKind != JsonValueKind.String || category.GetString() != EventCategories.AuditLogCreation))
        {
            context.Error("event_category", $"must be \"{EventCategories.AuditLogCreation}\"");
        }

        var eventId = context.String(element, "event_id", "event_id", required: false, maxLength: 132);
        if (eventId.Length == 0)
        {
            eventId = $"evt_{Guid.NewGuid()}";
        }
        else if (!EventIdPattern().IsMatch(eventId))
        {
            context.Error("event_id", "must match evt_[A-Za-z0-9._-]{1,128}");
        }

        var organizationId = context.String(element, "organization_id", "organization_id", required: true, maxLength: 256);
        var occurredAt = context.Timestamp(element, "occurred_at", "occurred_at", required: false);
        if (occurredAt.Length == 0)
        {
            occurredAt = now().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        }

        if (!element.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            context.Error("data", "is required");
            return;
        }

        if (!context.Object(data, "data", DataFields))
        {
            return;
        }

        var actor = new AuditActor(string.Empty, string.Empty, string.Empty);
        if (data.TryGetProperty("actor", out var actorElement) && actorElement.ValueKind != JsonValueKind.Null
            && context.Object(actorElement, "data.actor", ActorFields))
        {
            actor = new AuditActor(
                context.String(actorElement, "ip", "data.actor.ip", required: false, maxLength: 256),
                context.String(actorElement, "user_agent", "data.actor.user_agent", required: false, maxLength: 1024),
                context.String(actorElement, "username", "data.actor.username", required: false, maxLength: 256));
        }

        var auditData = new AuditData(
            actor,
            context.Timestamp(data, "date", "data.date", required: true),
            context.String(data, "description", "data.description", required: false, maxLength: 8192),
            context.String(data, "event_category", "data.event_category", required: true, maxLength: 256),
            context.String(data, "event_name", "data.event_name", required: true, maxLength: 256));

        if (errors.Count == before)
        {
            records.Add(new AuditRecord(eventId, organizationId, occurredAt, auditData));
        }
    }

    [GeneratedRegex("^evt_[A-Za-z0-9._-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex EventIdPattern();

    // RFC 3339 as producers send it, seconds and fraction (up to nanoseconds) optional, as in the seed.
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();

    private readonly struct Context(int index, List<FieldError> errors)
    {
        public void Error(string field, string message) => errors.Add(new FieldError(index, field, message));

        public bool Object(JsonElement element, string field, string[] allowed)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                Error(field, "must be a JSON object");
                return false;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (Array.IndexOf(allowed, property.Name) < 0)
                {
                    Error(field == "$" ? property.Name : $"{field}.{property.Name}", "is not a known field");
                }
            }

            return true;
        }

        public string String(JsonElement parent, string name, string field, bool required, int maxLength)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                {
                    Error(field, "is required");
                }

                return string.Empty;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                Error(field, "must be a string");
                return string.Empty;
            }

            var text = value.GetString()!;
            if (required && text.Length == 0)
            {
                Error(field, "must not be empty");
            }
            else if (text.Length > maxLength && text.EnumerateRunes().Count() > maxLength)
            {
                Error(field, $"must be at most {maxLength} characters");
            }

            return text;
        }

        public string Timestamp(JsonElement parent, string name, string field, bool required)
        {
            var text = String(parent, name, field, required, maxLength: 64);
            if (text.Length > 0 && !TimestampPattern().IsMatch(text))
            {
                Error(field, "must be an RFC 3339 timestamp such as 2025-11-12T12:12:48.626967855Z");
            }

            return text;
        }
    }
}

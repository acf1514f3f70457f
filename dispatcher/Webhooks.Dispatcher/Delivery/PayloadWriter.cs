using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Webhooks.Storage.Events;
using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Renders the wire body, keys in the seed's order. The bytes are the same for every webhook and
/// every retry of a record, so receivers (and signatures) see one stable document.
/// </summary>
public static class PayloadWriter
{
    // Non-ASCII text goes out as UTF-8 rather than \u escapes: smaller, and what receivers log.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("data");
            writer.WriteStartObject("actor");
            writer.WriteString("ip", record.Data.Actor.Ip);
            writer.WriteString("user_agent", record.Data.Actor.UserAgent);
            writer.WriteString("username", record.Data.Actor.Username);
            writer.WriteEndObject();
            writer.WriteString("date", record.Data.Date);
            writer.WriteString("description", record.Data.Description);
            writer.WriteString("event_category", record.Data.EventCategory);
            writer.WriteString("event_name", record.Data.EventName);
            writer.WriteEndObject();
            writer.WriteString("event_category", EventCategories.AuditLogCreation);
            writer.WriteString("event_id", record.EventId);
            writer.WriteString("occurred_at", record.OccurredAt);
            writer.WriteString("organization_id", record.OrganizationId);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

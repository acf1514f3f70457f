using System.Buffers;
using System.Text.Json;

namespace Webhooks.Benchmarks.Load;

/// <summary>Audit records shaped like the seed's, as NDJSON ingest bodies and as the wire payload.</summary>
public static class AuditRecords
{
    /// <summary>Throughput records carry this organization: every benchmark route matches it.</summary>
    public const string ThroughputOrganization = "646f1e0c2a9b4d0012345678";

    /// <summary>Latency records carry this organization: only the first route matches it.</summary>
    public const string LatencyOrganization = "646f1e0c2a9b4d00latency0";

    public static string EventId(string run, int n) => $"evt_{run}-{n:D8}";

    /// <summary>An NDJSON body of records <paramref name="first"/> … first + count − 1 of <paramref name="run"/>.</summary>
    public static byte[] Ndjson(string run, int first, int count, string organizationId)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 480);
        for (var n = first; n < first + count; n++)
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                Write(writer, EventId(run, n), organizationId, includeCategory: false);
            }

            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The body the dispatcher sends for one record (keys in the seed's order), for the raw HTTP loop.</summary>
    public static byte[] WirePayload(string eventId)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, eventId, ThroughputOrganization, includeCategory: true);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, string eventId, string organizationId, bool includeCategory)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("data");
        writer.WriteStartObject("actor");
        writer.WriteString("ip", "94.54.12.7");
        writer.WriteString("user_agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36");
        writer.WriteString("username", "koray");
        writer.WriteEndObject();
        writer.WriteString("date", "2025-11-12T12:12:48.626967855Z");
        writer.WriteString("description", "User is logged in id=[67a1b2c3d4e5f60718293a4b], name=[koray]");
        writer.WriteString("event_category", "user");
        writer.WriteString("event_name", "login");
        writer.WriteEndObject();
        if (includeCategory)
        {
            writer.WriteString("event_category", "audit_log_creation");
        }

        writer.WriteString("event_id", eventId);
        writer.WriteString("occurred_at", "2025-11-12T12:12:48.626967855Z");
        writer.WriteString("organization_id", organizationId);
        writer.WriteEndObject();
    }
}

using System.Text;
using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Serialization;

/// <summary>
/// Decodes the Kubernetes protobuf envelope (<c>k8s\0</c> + runtime.Unknown) for the few built-in kinds
/// kubectl's imperative commands send that way (<c>kubectl create namespace</c>, <c>kubectl create secret</c>).
/// Only the fields a client sets on create are read; unknown fields are skipped.
/// </summary>
internal static class ProtobufDecoder
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    private static readonly Message ObjectMeta = new(new Dictionary<int, Field>
    {
        [1] = new("name", FieldKind.String),
        [2] = new("generateName", FieldKind.String),
        [3] = new("namespace", FieldKind.String),
        [5] = new("uid", FieldKind.String),
        [6] = new("resourceVersion", FieldKind.String),
        [11] = new("labels", FieldKind.StringMap),
        [12] = new("annotations", FieldKind.StringMap),
        [14] = new("finalizers", FieldKind.RepeatedString),
    });

    private static readonly Dictionary<string, Message> Kinds = new(StringComparer.Ordinal)
    {
        ["Secret"] = new(new Dictionary<int, Field>
        {
            [1] = new("metadata", FieldKind.Message, ObjectMeta),
            [2] = new("data", FieldKind.BytesMap),
            [3] = new("type", FieldKind.String),
            [4] = new("stringData", FieldKind.StringMap),
            [5] = new("immutable", FieldKind.Bool),
        }),
        ["Namespace"] = new(new Dictionary<int, Field>
        {
            [1] = new("metadata", FieldKind.Message, ObjectMeta),
            [2] = new("spec", FieldKind.Message, new Message(new Dictionary<int, Field> { [1] = new("finalizers", FieldKind.RepeatedString) })),
        }),
    };

    /// <summary>Returns the decoded object, or null when the payload is not an envelope of a supported kind.</summary>
    public static JsonObject? Decode(byte[] payload)
    {
        if (payload.Length < Magic.Length || !payload.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        string? apiVersion = null;
        string? kind = null;
        byte[]? raw = null;
        foreach (var (number, _, _, bytes) in Fields(payload.AsMemory(Magic.Length)))
        {
            if (number == 1 && bytes is { } typeMeta)
            {
                foreach (var (metaNumber, _, _, metaBytes) in Fields(typeMeta))
                {
                    var text = metaBytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;
                    if (metaNumber == 1)
                    {
                        apiVersion = text;
                    }
                    else if (metaNumber == 2)
                    {
                        kind = text;
                    }
                }
            }
            else if (number == 2 && bytes is { } rawBytes)
            {
                raw = rawBytes.ToArray();
            }
        }

        if (kind is null || raw is null || !Kinds.TryGetValue(kind, out var message))
        {
            return null;
        }

        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        Read(message, raw, result);
        return result;
    }

    private static void Read(Message message, ReadOnlyMemory<byte> data, JsonObject target)
    {
        foreach (var (number, _, value, bytes) in Fields(data))
        {
            if (!message.Fields.TryGetValue(number, out var field))
            {
                continue;
            }

            switch (field.Kind)
            {
                case FieldKind.String when bytes is { } b:
                    target[field.Name] = Encoding.UTF8.GetString(b.Span);
                    break;
                case FieldKind.Bool:
                    target[field.Name] = value != 0;
                    break;
                case FieldKind.RepeatedString when bytes is { } b:
                    var list = target[field.Name] as JsonArray ?? [];
                    list.Add(Encoding.UTF8.GetString(b.Span));
                    target[field.Name] = list;
                    break;
                case FieldKind.StringMap or FieldKind.BytesMap when bytes is { } entry:
                    var map = target[field.Name] as JsonObject ?? [];
                    string key = string.Empty;
                    string mapValue = string.Empty;
                    foreach (var (entryNumber, _, _, entryBytes) in Fields(entry))
                    {
                        var span = entryBytes is { } entryMemory ? entryMemory.Span : [];
                        if (entryNumber == 1)
                        {
                            key = Encoding.UTF8.GetString(span);
                        }
                        else if (entryNumber == 2)
                        {
                            mapValue = field.Kind == FieldKind.BytesMap ? Convert.ToBase64String(span) : Encoding.UTF8.GetString(span);
                        }
                    }

                    map[key] = mapValue;
                    target[field.Name] = map;
                    break;
                case FieldKind.Message when bytes is { } b && field.Nested is { } nested:
                    var child = target[field.Name] as JsonObject ?? [];
                    Read(nested, b, child);
                    target[field.Name] = child;
                    break;
            }
        }
    }

    private static IEnumerable<(int Number, int WireType, ulong Value, ReadOnlyMemory<byte>? Bytes)> Fields(ReadOnlyMemory<byte> data)
    {
        var position = 0;
        while (position < data.Length)
        {
            var tag = ReadVarint(data.Span, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    yield return (number, wireType, ReadVarint(data.Span, ref position), null);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(data.Span, ref position);
                    yield return (number, wireType, 0, data.Slice(position, length));
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {wireType}");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("malformed protobuf varint");
    }

    private enum FieldKind
    {
        String,
        Bool,
        RepeatedString,
        StringMap,
        BytesMap,
        Message,
    }

    private sealed record Field(string Name, FieldKind Kind, Message? Nested = null);

    private sealed record Message(IReadOnlyDictionary<int, Field> Fields);
}

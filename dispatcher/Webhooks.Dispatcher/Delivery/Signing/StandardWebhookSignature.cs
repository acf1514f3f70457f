using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Dispatcher.Delivery.Signing;

/// <summary>
/// The Standard Webhooks signature: <c>v1,&lt;base64(HMAC-SHA256(key, "id.timestamp.body"))&gt;</c>,
/// one space-separated entry per key, so during a key rotation a receiver holding either the new
/// or the previous secret finds a signature it can check. Pure: the time comes in as an argument.
/// </summary>
public static class StandardWebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The <c>webhook-timestamp</c> value: whole seconds since the Unix epoch.</summary>
    public static string Timestamp(DateTimeOffset now) => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The <c>webhook-signature</c> value over exactly the bytes sent as the body.</summary>
    public static string Sign(IReadOnlyList<byte[]> keys, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return string.Join(' ', keys.Select(key => "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed))));
    }
}

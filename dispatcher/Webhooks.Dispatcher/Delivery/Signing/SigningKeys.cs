namespace Webhooks.Dispatcher.Delivery.Signing;

/// <summary>Standard Webhooks signing secrets: <c>whsec_</c> followed by the base64 of the HMAC key.</summary>
public static class SigningKeys
{
    public const string Prefix = "whsec_";

    /// <summary>
    /// The HMAC keys of <paramref name="secrets"/>, in order, or the reason one is unusable. The
    /// reason names the key by position only: a secret never goes into a record or a log.
    /// </summary>
    public static bool TryDecode(IReadOnlyList<string> secrets, out IReadOnlyList<byte[]> keys, out string? error)
    {
        var decoded = new List<byte[]>(secrets.Count);
        keys = decoded;
        error = null;
        if (secrets.Count == 0)
        {
            error = "secure mode needs a signing key and the route has none";
            return false;
        }

        for (var i = 0; i < secrets.Count; i++)
        {
            var secret = secrets[i];
            var key = secret.StartsWith(Prefix, StringComparison.Ordinal) ? TryBase64(secret.AsSpan(Prefix.Length)) : null;
            if (key is null || key.Length == 0)
            {
                error = $"signing key {i + 1} of {secrets.Count} is not of the form whsec_<base64>";
                return false;
            }

            decoded.Add(key);
        }

        return true;
    }

    private static byte[]? TryBase64(ReadOnlySpan<char> text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64Chars(text, buffer, out var written) ? buffer[..written] : null;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>The OpenAPI string formats the API server checks; unknown formats pass, as they do there.</summary>
internal static partial class FormatChecker
{
    public static bool IsValid(string format, string value) => format switch
    {
        "uri" => Uri.TryCreate(value, UriKind.Absolute, out _),
        "uuid" => Guid.TryParseExact(value, "D", out _),
        "date-time" => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _) && value.Contains('T', StringComparison.OrdinalIgnoreCase),
        "date" => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "byte" => IsBase64(value),
        "hostname" => Hostname().IsMatch(value),
        "ipv4" => System.Net.IPAddress.TryParse(value, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
        "ipv6" => System.Net.IPAddress.TryParse(value, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        _ => true,
    };

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }

    [GeneratedRegex(@"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")]
    private static partial Regex Hostname();
}

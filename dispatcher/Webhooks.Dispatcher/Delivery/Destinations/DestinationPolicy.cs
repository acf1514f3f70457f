using System.Net;
using System.Net.Sockets;

namespace Webhooks.Dispatcher.Delivery.Destinations;

/// <summary>What the policy says about one address: allowed, or blocked with the kind of range it is in.</summary>
/// <param name="Address">The address as checked: an IPv4-mapped IPv6 address is checked, and dialled, as its IPv4 form.</param>
/// <param name="BlockedAs">Null when allowed; otherwise the kind of range the address is in ("loopback", "private", …): a short fixed word.</param>
/// <param name="Via">For an address refused for the IPv4 address it embeds (NAT64, 6to4, IPv4-compatible): that IPv4 address.</param>
public readonly record struct DestinationVerdict(IPAddress Address, string? BlockedAs, IPAddress? Via = null)
{
    public bool Allowed => BlockedAs is null;

    /// <summary>How a refusal reads in a message: "loopback", or "private via 10.0.0.1" for an embedded address.</summary>
    public string Kind => Via is null ? BlockedAs ?? "allowed" : $"{BlockedAs} via {Via}";
}

/// <summary>
/// Which addresses a webhook may reach. Pure: no DNS, no sockets. Loopback, private, link-local
/// (cloud metadata), CGNAT, multicast, unspecified, broadcast and reserved addresses are refused
/// unless an allow-list CIDR contains them, because a Webhook is written by a tenant and must not
/// become a way into the cluster network. Addresses that embed an IPv4 address (IPv4-mapped,
/// IPv4-compatible, NAT64, 6to4) are judged by the IPv4 address they lead to.
/// </summary>
public sealed class DestinationPolicy
{
    private static readonly (IPNetwork Network, string Kind)[] BlockedV4 =
    [
        (Net("0.0.0.0/8"), "unspecified"),          // "this network"; Linux connects 0.0.0.0 to the local host
        (Net("10.0.0.0/8"), "private"),
        (Net("100.64.0.0/10"), "CGNAT"),
        (Net("127.0.0.0/8"), "loopback"),
        (Net("169.254.0.0/16"), "link-local"),
        (Net("172.16.0.0/12"), "private"),
        (Net("192.0.0.0/24"), "reserved"),
        (Net("192.168.0.0/16"), "private"),
        (Net("198.18.0.0/15"), "reserved"),
        (Net("224.0.0.0/4"), "multicast"),
        (Net("255.255.255.255/32"), "broadcast"),
        (Net("240.0.0.0/4"), "reserved"),
    ];

    private static readonly (IPNetwork Network, string Kind)[] BlockedV6 =
    [
        (Net("::/128"), "unspecified"),
        (Net("::1/128"), "loopback"),
        (Net("64:ff9b:1::/48"), "private"),
        (Net("fc00::/7"), "private"),
        (Net("fe80::/10"), "link-local"),
        (Net("fec0::/10"), "private"),
        (Net("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = Net("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = Net("2002::/16");
    private static readonly IPNetwork V4Compatible = Net("::/96");

    private readonly IReadOnlyList<IPNetwork> _allowed;

    public DestinationPolicy(IEnumerable<IPNetwork> allowed) => _allowed = [.. allowed];

    public IReadOnlyList<IPNetwork> Allowed => _allowed;

    /// <summary>The policy for configured CIDR strings; they were validated at start, so a bad one throws.</summary>
    public static DestinationPolicy FromCidrs(IEnumerable<string> cidrs) =>
        new(cidrs.Select(c => TryParseCidr(c, out var network, out var error) ? network : throw new FormatException(error)));

    public DestinationVerdict Evaluate(IPAddress address)
    {
        // Checked and dialled as IPv4: the same destination, and one form to match the lists against.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var embedded = EmbeddedIPv4(address);
        if (_allowed.Any(n => n.Contains(address) || (embedded is not null && n.Contains(embedded))))
        {
            return new DestinationVerdict(address, null);
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return new DestinationVerdict(address, KindOf(BlockedV4, address));
        }

        if (KindOf(BlockedV6, address) is { } kind)
        {
            return new DestinationVerdict(address, kind);
        }

        if (embedded is not null && KindOf(BlockedV4, embedded) is { } embeddedKind)
        {
            return new DestinationVerdict(address, embeddedKind, embedded);
        }

        return new DestinationVerdict(address, null);
    }

    /// <summary>
    /// Parses one allow-list entry: <c>address/prefix</c>, or a bare address meaning that one
    /// host. Host bits set beyond the prefix are refused: <c>10.0.0.5/8</c> is more likely a typo
    /// for <c>/32</c> than a wish to open all of 10/8.
    /// </summary>
    public static bool TryParseCidr(string value, out IPNetwork network, out string? error)
    {
        var text = value.Trim();
        network = default;
        error = null;
        if (!text.Contains('/') && IsPlainAddress(text) && IPAddress.TryParse(text, out var host))
        {
            network = new IPNetwork(host, host.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IsPlainAddress(text[..slash]) || !IPAddress.TryParse(text[..slash], out var baseAddress) || !IPNetwork.TryParse(text, out network))
        {
            error = $"'{value}' is not a CIDR (address/prefix, such as 10.0.0.0/8 or fd00::/8)";
            return false;
        }

        if (!network.BaseAddress.Equals(baseAddress))
        {
            error = $"'{value}' has bits set after its /{network.PrefixLength} prefix: write {network} for the whole range, or {baseAddress}/{(baseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)} for the one host";
            return false;
        }

        return true;
    }

    /// <summary>IPv6, or IPv4 as four decimal parts: the short, octal and hex IPv4 forms the parser also takes are too easy to misread in a security setting.</summary>
    private static bool IsPlainAddress(string text) =>
        text.Contains(':') || (text.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)));

    private static string? KindOf((IPNetwork Network, string Kind)[] ranges, IPAddress address)
    {
        foreach (var (network, kind) in ranges)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>The IPv4 address a NAT64, 6to4 or IPv4-compatible IPv6 address leads to; null for other addresses.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || (V4Compatible.Contains(address) && !address.Equals(IPAddress.IPv6None) && !address.Equals(IPAddress.IPv6Loopback)))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return SixToFour.Contains(address) ? new IPAddress(bytes.AsSpan(2, 4)) : null;
    }

    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);
}

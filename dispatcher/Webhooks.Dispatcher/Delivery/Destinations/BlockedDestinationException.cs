namespace Webhooks.Dispatcher.Delivery.Destinations;

/// <summary>
/// Thrown by <see cref="GuardedConnector"/> when no address of a webhook's host may be reached.
/// The message names the host, the addresses and why, and how to allow them; it carries no URL
/// path or header, so it is safe in attempt records.
/// </summary>
public sealed class BlockedDestinationException(string host, IReadOnlyList<DestinationVerdict> verdicts)
    : Exception(Describe(host, verdicts))
{
    public string Host { get; } = host;

    public IReadOnlyList<DestinationVerdict> Verdicts { get; } = verdicts;

    /// <summary>The kind of range the first refused address is in ("loopback", "private", …): a fixed word, fit for a metric label.</summary>
    public string BlockedAs => Verdicts[0].BlockedAs ?? "unknown";

    private static string Describe(string host, IReadOnlyList<DestinationVerdict> verdicts)
    {
        if (verdicts.Count > 1)
        {
            return $"{host} resolved to {string.Join(", ", verdicts.Select(v => $"{v.Address} ({v.Kind})"))}; allow them with Delivery:AllowedCidrs";
        }

        var verdict = verdicts[0];
        var subject = verdict.Address.ToString() == host.TrimStart('[').TrimEnd(']') ? $"{verdict.Address} is" : $"{host} resolved to {verdict.Address}, which is";
        return $"{subject} {verdict.Kind}; allow it with Delivery:AllowedCidrs";
    }
}

namespace Webhooks.Storage.Routes;

/// <summary>Which signing keys a route carries through a key change: pure, so the overlap rules are tested without a database.</summary>
public static class SigningKeyRotation
{
    /// <summary>
    /// The keys to store (newest first) and when the previous one stops signing. A changed key
    /// starts an overlap of <paramref name="overlap"/> with the stored current key; an overlap in
    /// progress continues until it ends; otherwise only the wanted keys remain.
    /// </summary>
    public static (IReadOnlyList<string> Keys, DateTimeOffset? RotationEndsAt) Next(
        IReadOnlyList<string> wanted, IReadOnlyList<string> stored, DateTimeOffset? storedRotationEnd, TimeSpan overlap, DateTimeOffset now)
    {
        var current = wanted.FirstOrDefault();
        var storedCurrent = stored.FirstOrDefault();
        if (current is null || overlap <= TimeSpan.Zero)
        {
            return (wanted, null);
        }

        if (storedCurrent is not null && storedCurrent != current && !wanted.Contains(storedCurrent))
        {
            return ([.. wanted, storedCurrent], now + overlap);
        }

        if (storedCurrent == current && storedRotationEnd > now && stored.Count > 1 && !wanted.Contains(stored[1]))
        {
            return ([.. wanted, stored[1]], storedRotationEnd);
        }

        return (wanted, null);
    }
}

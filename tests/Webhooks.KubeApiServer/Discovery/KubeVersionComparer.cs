using System.Text.RegularExpressions;

namespace Webhooks.KubeApiServer.Discovery;

/// <summary>
/// Orders API versions by Kubernetes priority (v2 &gt; v1 &gt; v1beta2 &gt; v1beta1 &gt; v1alpha1 &gt; other),
/// which decides the preferred version in discovery and hence what kubectl uses.
/// </summary>
internal sealed partial class KubeVersionComparer : IComparer<string>
{
    public static readonly KubeVersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var (rankX, majorX, minorX) = Rank(x ?? string.Empty);
        var (rankY, majorY, minorY) = Rank(y ?? string.Empty);
        if (rankX != rankY)
        {
            return rankY.CompareTo(rankX);
        }

        if (rankX == 0)
        {
            return string.CompareOrdinal(x, y);
        }

        return majorX != majorY ? majorY.CompareTo(majorX) : minorY.CompareTo(minorX);
    }

    private static (int Rank, int Major, int Minor) Rank(string version)
    {
        var match = VersionPattern().Match(version);
        if (!match.Success)
        {
            return (0, 0, 0);
        }

        var major = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var rank = match.Groups[2].Value switch
        {
            "" => 3,
            "beta" => 2,
            _ => 1,
        };
        return (rank, major, minor);
    }

    [GeneratedRegex("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$")]
    private static partial Regex VersionPattern();
}

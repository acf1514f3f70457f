namespace Webhooks.Benchmarks.Reporting;

/// <summary>A latency distribution in milliseconds (nearest-rank percentiles).</summary>
public sealed record Percentiles(int Count, double Mean, double P50, double P90, double P99, double P999, double Max)
{
    public static Percentiles Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0, 0, 0);
        }

        var sorted = values.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, Round(sorted.Average()), Round(Rank(0.50)), Round(Rank(0.90)), Round(Rank(0.99)), Round(Rank(0.999)), Round(sorted[^1]));
    }

    private static double Round(double value) => Math.Round(value, 2);
}

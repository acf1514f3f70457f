namespace Webhooks.KubeApiServer.Selection;

/// <summary>The <c>fieldSelector</c> query syntax: <c>metadata.name=x,involvedObject.kind!=Pod</c>.</summary>
internal sealed class FieldSelector
{
    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string Field, bool Equal, string Value)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public IEnumerable<string> Fields => _terms.Select(t => t.Field);

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (token, equal) = raw.Contains("!=", StringComparison.Ordinal) ? ("!=", false) : raw.Contains("==", StringComparison.Ordinal) ? ("==", true) : ("=", true);
            var at = raw.IndexOf(token, StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new FormatException($"invalid selector: '{text}'; can't understand '{raw}'");
            }

            terms.Add((raw[..at].Trim(), equal, raw[(at + token.Length)..].Trim()));
        }

        return new FieldSelector(terms);
    }

    /// <summary>Matches using <paramref name="fieldValue"/>, which returns null for a field the kind cannot select on.</summary>
    public bool Matches(Func<string, string?> fieldValue) =>
        _terms.All(t => (fieldValue(t.Field) == t.Value) == t.Equal);
}

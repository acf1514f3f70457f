using System.Text.RegularExpressions;

namespace Webhooks.KubeApiServer.Selection;

/// <summary>The <c>labelSelector</c> query syntax: <c>a=b,c!=d,e in (x,y),f notin (z),g,!h</c>.</summary>
internal sealed partial class LabelSelector
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        return new LabelSelector(SplitTerms(text).Select(ParseTerm).ToList());
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r.Matches(labels));

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseTerm(string raw)
    {
        var term = raw.Trim();
        if (term.Length == 0)
        {
            throw new FormatException("empty label selector term");
        }

        if (term.StartsWith('!'))
        {
            return new Requirement(term[1..].Trim(), Operator.DoesNotExist, []);
        }

        var set = SetTerm().Match(term);
        if (set.Success)
        {
            var values = set.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return new Requirement(set.Groups[1].Value, set.Groups[2].Value == "in" ? Operator.In : Operator.NotIn, values);
        }

        foreach (var (token, op) in new[] { ("!=", Operator.NotIn), ("==", Operator.In), ("=", Operator.In), (">", Operator.GreaterThan), ("<", Operator.LessThan) })
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return new Requirement(term[..at].Trim(), op, [term[(at + token.Length)..].Trim()]);
            }
        }

        return new Requirement(term, Operator.Exists, []);
    }

    [GeneratedRegex(@"^(\S+)\s+(in|notin)\s*\((.*)\)$")]
    private static partial Regex SetTerm();

    private enum Operator
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    }

    private sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var present = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.In => present && Values.Contains(value),
                Operator.NotIn => !present || !Values.Contains(value),
                Operator.Exists => present,
                Operator.DoesNotExist => !present,
                Operator.GreaterThan => present && long.TryParse(value, out var gt) && gt > long.Parse(Values[0], System.Globalization.CultureInfo.InvariantCulture),
                _ => present && long.TryParse(value, out var lt) && lt < long.Parse(Values[0], System.Globalization.CultureInfo.InvariantCulture),
            };
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Webhooks.KubeApiServer.Printing;

/// <summary>
/// The JSONPath subset <c>additionalPrinterColumns</c> use: <c>.a.b</c>, <c>.a[0].b</c>, <c>.a[*].b</c>,
/// <c>.m['dotted.key']</c> and filters such as <c>.a[?(@.type=="Ready")].status</c>.
/// </summary>
internal sealed class JsonPathExpression
{
    private readonly IReadOnlyList<Step> _steps;

    private JsonPathExpression(IReadOnlyList<Step> steps) => _steps = steps;

    public static JsonPathExpression Parse(string expression)
    {
        var text = expression.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
        {
            text = text[1..^1];
        }

        if (text.StartsWith('$'))
        {
            text = text[1..];
        }

        var steps = new List<Step>();
        var position = 0;
        while (position < text.Length)
        {
            switch (text[position])
            {
                case '.':
                    position++;
                    var start = position;
                    while (position < text.Length && text[position] is not ('.' or '['))
                    {
                        position++;
                    }

                    if (position > start)
                    {
                        steps.Add(new FieldStep(text[start..position]));
                    }

                    break;
                case '[':
                    var end = FindClosingBracket(text, position);
                    steps.Add(ParseBracket(text[(position + 1)..end]));
                    position = end + 1;
                    break;
                default:
                    throw new FormatException($"unexpected character '{text[position]}' in JSONPath {expression}");
            }
        }

        return new JsonPathExpression(steps);
    }

    public IReadOnlyList<JsonNode?> Evaluate(JsonNode? root)
    {
        IEnumerable<JsonNode?> current = [root];
        foreach (var step in _steps)
        {
            current = current.SelectMany(step.Apply).ToList();
        }

        return current.ToList();
    }

    private static int FindClosingBracket(string text, int open)
    {
        var depth = 0;
        char? quote = null;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '[')
            {
                depth++;
            }
            else if (c == ']' && --depth == 0)
            {
                return i;
            }
        }

        throw new FormatException($"unterminated '[' in JSONPath {text}");
    }

    private static Step ParseBracket(string content)
    {
        content = content.Trim();
        if (content == "*")
        {
            return new WildcardStep();
        }

        if (content.StartsWith("?(", StringComparison.Ordinal) && content.EndsWith(')'))
        {
            return FilterStep.Parse(content[2..^1]);
        }

        if (content.Length >= 2 && content[0] is '\'' or '"' && content[^1] == content[0])
        {
            return new FieldStep(content[1..^1]);
        }

        return int.TryParse(content, out var index) ? new IndexStep(index) : throw new FormatException($"unsupported JSONPath subscript [{content}]");
    }

    private abstract class Step
    {
        public abstract IEnumerable<JsonNode?> Apply(JsonNode? node);
    }

    private sealed class FieldStep(string name) : Step
    {
        public override IEnumerable<JsonNode?> Apply(JsonNode? node)
        {
            if (node is JsonObject obj && obj.TryGetPropertyValue(name, out var value))
            {
                yield return value;
            }
        }
    }

    private sealed class IndexStep(int index) : Step
    {
        public override IEnumerable<JsonNode?> Apply(JsonNode? node)
        {
            if (node is JsonArray array)
            {
                var position = index < 0 ? array.Count + index : index;
                if (position >= 0 && position < array.Count)
                {
                    yield return array[position];
                }
            }
        }
    }

    private sealed class WildcardStep : Step
    {
        public override IEnumerable<JsonNode?> Apply(JsonNode? node) => node switch
        {
            JsonArray array => array,
            JsonObject obj => obj.Select(p => p.Value),
            _ => [],
        };
    }

    private sealed class FilterStep(JsonPathExpression left, string op, JsonNode? right) : Step
    {
        public static FilterStep Parse(string condition)
        {
            foreach (var op in new[] { "==", "!=" })
            {
                var at = condition.IndexOf(op, StringComparison.Ordinal);
                if (at > 0)
                {
                    var path = condition[..at].Trim();
                    var literal = condition[(at + op.Length)..].Trim();
                    return new FilterStep(JsonPathExpression.Parse(path.TrimStart('@')), op, ParseLiteral(literal));
                }
            }

            return new FilterStep(JsonPathExpression.Parse(condition.Trim().TrimStart('@')), "exists", null);
        }

        public override IEnumerable<JsonNode?> Apply(JsonNode? node)
        {
            IEnumerable<JsonNode?> candidates = node switch
            {
                JsonArray array => array,
                JsonObject obj => obj.Select(p => p.Value),
                _ => [],
            };
            return candidates.Where(Matches);
        }

        private bool Matches(JsonNode? candidate)
        {
            var values = left.Evaluate(candidate);
            return op switch
            {
                "exists" => values.Count > 0,
                "==" => values.Any(v => JsonNode.DeepEquals(v, right)),
                _ => values.Count > 0 && !values.Any(v => JsonNode.DeepEquals(v, right)),
            };
        }

        private static JsonNode? ParseLiteral(string literal)
        {
            if (literal.Length >= 2 && literal[0] is '\'' or '"' && literal[^1] == literal[0])
            {
                return JsonValue.Create(literal[1..^1]);
            }

            return JsonNode.Parse(literal);
        }
    }

    /// <summary>Renders a result as kubectl's JSONPath printer does: strings bare, everything else as JSON.</summary>
    public static string Render(JsonNode? value) => value switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}

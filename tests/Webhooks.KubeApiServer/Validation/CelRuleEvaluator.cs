using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Cel;

namespace Webhooks.KubeApiServer.Validation;

/// <summary>
/// Evaluates <c>x-kubernetes-validations</c> rules at the schema node that declares them, with
/// <c>self</c> bound to that node's value, reporting failures the way the API server's CEL validator does.
/// </summary>
internal sealed class CelRuleEvaluator
{
    private readonly CelEnvironment _environment = new(null, null);
    private readonly ConcurrentDictionary<string, CelProgramDelegate> _programs = new(StringComparer.Ordinal);
    private readonly Lock _compileLock = new();

    public CelRuleEvaluator()
    {
        // A slice of the Kubernetes CEL libraries the Cel package lacks; registered functions also work as member calls (s.lowerAscii()).
        _environment.RegisterFunction("isURL", [typeof(string)], args => args[0] is string text && Uri.TryCreate(text, UriKind.Absolute, out _));
        _environment.RegisterFunction("lowerAscii", [typeof(string)], args => ((string)args[0]!).ToLowerInvariant());
        _environment.RegisterFunction("upperAscii", [typeof(string)], args => ((string)args[0]!).ToUpperInvariant());
        _environment.RegisterFunction("trim", [typeof(string)], args => ((string)args[0]!).Trim());
    }

    public void Evaluate(SchemaNode schema, JsonNode? value, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            return;
        }

        if (schema.Rules.Count > 0)
        {
            var self = CelValueConverter.ToCel(value, schema);
            foreach (var rule in schema.Rules.Where(r => !r.IsTransitionRule))
            {
                EvaluateRule(rule, schema, self, path, errors);
            }
        }

        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    if (schema.Properties.TryGetValue(name, out var propertySchema))
                    {
                        Evaluate(propertySchema, child, FieldPath.Child(path, name), errors);
                    }
                    else if (schema.AdditionalProperties is { } valueSchema)
                    {
                        Evaluate(valueSchema, child, FieldPath.Key(path, name), errors);
                    }
                }

                break;
            case JsonArray array when schema.Items is not null:
                for (var i = 0; i < array.Count; i++)
                {
                    Evaluate(schema.Items, array[i], FieldPath.Index(path, i), errors);
                }

                break;
        }
    }

    private void EvaluateRule(ValidationRule rule, SchemaNode schema, object? self, string path, List<FieldError> errors)
    {
        var typeName = JsonValue.Create(schema.Type ?? "object");
        var field = FieldPath.Display(rule.FieldPath is { Length: > 0 } fieldPath ? AppendFieldPath(path, fieldPath) : path);
        var variables = new Dictionary<string, object?> { ["self"] = self };
        object? result;
        try
        {
            result = Program(rule.Rule).Invoke(variables);
        }
        catch (CelException exception)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, field, typeName, $"rule evaluation error: {exception.Message}"));
            return;
        }

        if (result is true)
        {
            return;
        }

        var message = RenderMessage(rule, variables);
        var type = rule.Reason is { } reason ? FieldErrorType.FromReason(reason) ?? FieldErrorType.Invalid : FieldErrorType.Invalid;
        errors.Add(type == FieldErrorType.Duplicate
            ? new FieldError(type, field, typeName, string.Empty)
            : new FieldError(type, field, typeName, message));
    }

    private string RenderMessage(ValidationRule rule, Dictionary<string, object?> variables)
    {
        if (rule.MessageExpression is { } expression)
        {
            try
            {
                if (Program(expression).Invoke(variables) is string { Length: > 0 } rendered)
                {
                    return rendered;
                }
            }
            catch (CelException)
            {
                // The API server falls back to the static message when messageExpression fails.
            }
        }

        return rule.Message ?? $"failed rule: {rule.Rule}";
    }

    private CelProgramDelegate Program(string expression)
    {
        if (_programs.TryGetValue(expression, out var program))
        {
            return program;
        }

        lock (_compileLock)
        {
            return _programs.GetOrAdd(expression, _environment.Compile);
        }
    }

    private static string AppendFieldPath(string path, string fieldPath) =>
        path.Length == 0 ? fieldPath.TrimStart('.') : fieldPath.StartsWith('[') ? path + fieldPath : $"{path}.{fieldPath.TrimStart('.')}";
}

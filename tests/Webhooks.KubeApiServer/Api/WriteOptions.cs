namespace Webhooks.KubeApiServer.Api;

/// <summary>The query options every write accepts, and the warnings it reports back.</summary>
internal sealed class WriteOptions
{
    public bool DryRun { get; init; }

    /// <summary><c>Strict</c>, <c>Warn</c> or <c>Ignore</c>: what to do with fields the schema does not declare.</summary>
    public string FieldValidation { get; init; } = "Warn";

    public List<string> Warnings { get; } = [];
}

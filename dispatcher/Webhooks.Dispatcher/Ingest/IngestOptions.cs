using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher.Ingest;

public sealed class IngestOptions : IValidatableObject
{
    public const string SectionName = "Ingest";

    /// <summary>Bearer tokens accepted by <c>POST /v1/audit-logs</c>.</summary>
    public List<string> Tokens { get; set; } = [];

    /// <summary>A file (a mounted Secret) with one token per line; merged with <see cref="Tokens"/>.</summary>
    public string? TokensPath { get; set; }

    /// <summary>Largest request body accepted; larger gets 413. Default 1 MiB.</summary>
    [Range(1024, 64 << 20)]
    public int MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>Most records in one request. Default 1000.</summary>
    [Range(1, 100_000)]
    public int MaxRecordsPerRequest { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tokens.Count == 0 && string.IsNullOrEmpty(TokensPath))
        {
            yield return new ValidationResult("Set Ingest:Tokens or Ingest:TokensPath: the ingest API accepts no unauthenticated requests.", [nameof(Tokens)]);
        }
        else if (!string.IsNullOrEmpty(TokensPath) && !File.Exists(TokensPath))
        {
            yield return new ValidationResult($"Ingest:TokensPath '{TokensPath}' does not exist.", [nameof(TokensPath)]);
        }

        if (Tokens.Any(t => t.Length < 16))
        {
            yield return new ValidationResult("Ingest:Tokens must each be at least 16 characters.", [nameof(Tokens)]);
        }
    }
}

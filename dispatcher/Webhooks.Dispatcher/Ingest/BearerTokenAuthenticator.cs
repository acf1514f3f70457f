using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Webhooks.Dispatcher.Ingest;

/// <summary>
/// Checks <c>Authorization: Bearer …</c> against the configured tokens. Tokens are compared as
/// SHA-256 digests in constant time, so neither the length nor a prefix of a token leaks through timing.
/// </summary>
public sealed class BearerTokenAuthenticator
{
    private readonly byte[][] _digests;

    public BearerTokenAuthenticator(IOptions<IngestOptions> options)
    {
        var tokens = new List<string>(options.Value.Tokens);
        if (!string.IsNullOrEmpty(options.Value.TokensPath))
        {
            tokens.AddRange(File.ReadAllLines(options.Value.TokensPath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')));
        }

        _digests = [.. tokens.Select(t => SHA256.HashData(Encoding.UTF8.GetBytes(t)))];
    }

    public bool IsAuthorized(string? authorizationHeader)
    {
        const string scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorizationHeader[scheme.Length..].Trim()));
        var match = false;
        foreach (var digest in _digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, digest);
        }

        return match;
    }
}

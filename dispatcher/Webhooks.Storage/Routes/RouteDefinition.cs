namespace Webhooks.Storage.Routes;

/// <summary>
/// A Webhook resource resolved into what the dispatcher needs: the operator writes it, the
/// dispatcher reads it back. Values flagged as secret are sealed at rest and redacted in attempt
/// records.
/// </summary>
public sealed record RouteDefinition
{
    public required Guid Uid { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required long Generation { get; init; }
    public string DisplayName { get; init; } = string.Empty;
    public required string Url { get; init; }
    public bool UrlFromSecret { get; init; }
    public IReadOnlyList<RouteHeader> Headers { get; init; } = [];
    public IReadOnlyList<string> Events { get; init; } = [EventCategories.AuditLogCreation];
    public IReadOnlyList<string> FilterCategories { get; init; } = [];
    public IReadOnlyList<string> FilterNames { get; init; } = [];
    public IReadOnlyList<string> FilterOrganizations { get; init; } = [];
    public bool Secure { get; init; } = true;

    /// <summary>Standard Webhooks signing secrets (<c>whsec_…</c>), newest first; each signs every request.</summary>
    public IReadOnlyList<string> SigningKeys { get; init; } = [];

    /// <summary>
    /// PEM CA certificates the receiver's certificate may chain to, trusted in addition to the
    /// system roots. Public (certificates only), though it comes from a Secret.
    /// </summary>
    public string? CaCertificatesPem { get; init; }

    /// <summary>PEM client certificate (chain, leaf first) presented for mutual TLS; sealed at rest with <see cref="ClientKeyPem"/>.</summary>
    public string? ClientCertificatePem { get; init; }

    /// <summary>PEM private key of <see cref="ClientCertificatePem"/> (unencrypted PKCS#8, PKCS#1 or SEC1). Secret: sealed at rest, never recorded or logged.</summary>
    public string? ClientKeyPem { get; init; }

    public TimeSpan Timeout { get; init; } = RouteDefaults.Timeout;
    public int MaxAttempts { get; init; } = RouteDefaults.MaxAttempts;

    /// <summary>Delays before attempts 2, 3, …; null means <see cref="RouteDefaults.RetrySchedule"/>.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }

    public bool Suspended { get; init; }

    /// <summary>
    /// Keeps secrets out of the generated <c>ToString()</c>, so a route that reaches a log or an
    /// assertion message shows which Webhook it is, never its keys, header values or secret URL.
    /// </summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Uid = {Uid}, Namespace = {Namespace}, Name = {Name}, Generation = {Generation}, ");
        builder.Append($"Url = {(UrlFromSecret ? "***" : Url)}, Secure = {Secure}, SigningKeys = {SigningKeys.Count}, ");
        builder.Append($"CaCertificatesPem = {(CaCertificatesPem is null ? "none" : "set")}, ClientCertificate = {(ClientCertificatePem is null ? "none" : "set")}");
        return true;
    }
}

public sealed record RouteHeader(string Name, string Value, bool FromSecret = false);

/// <summary>A route as stored: its definition plus the state the dispatcher maintains.</summary>
public sealed record StoredRoute(RouteDefinition Definition, long Revision, DateTimeOffset? DisabledAt, string? DisabledReason)
{
    public bool Disabled => DisabledAt is not null;
}

public static class EventCategories
{
    public const string AuditLogCreation = "audit_log_creation";
}

/// <summary>Defaults a route gets when its Webhook leaves them unset.</summary>
public static class RouteDefaults
{
    /// <summary>Per-attempt timeout: 15 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>The first attempt plus seven retries.</summary>
    public const int MaxAttempts = 8;

    /// <summary>5s, 5m, 30m, 2h, 5h, 10h, 10h after the first attempt; jittered ±20% when applied.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetrySchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];
}

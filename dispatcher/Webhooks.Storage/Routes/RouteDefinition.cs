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

    public TimeSpan Timeout { get; init; } = RouteDefaults.Timeout;
    public int MaxAttempts { get; init; } = RouteDefaults.MaxAttempts;

    /// <summary>Delays before attempts 2, 3, …; null means <see cref="RouteDefaults.RetrySchedule"/>.</summary>
    public IReadOnlyList<TimeSpan>? RetrySchedule { get; init; }

    public bool Suspended { get; init; }
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

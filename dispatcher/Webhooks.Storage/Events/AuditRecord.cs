namespace Webhooks.Storage.Events;

/// <summary>
/// An audit-log record in the seed's shape. Strings are kept exactly as the producer sent them
/// (dates included) so the payload goes out as it came in; absent optional strings are empty.
/// </summary>
public sealed record AuditRecord(string EventId, string OrganizationId, string OccurredAt, AuditData Data);

public sealed record AuditData(AuditActor Actor, string Date, string Description, string EventCategory, string EventName);

public sealed record AuditActor(string Ip, string UserAgent, string Username);

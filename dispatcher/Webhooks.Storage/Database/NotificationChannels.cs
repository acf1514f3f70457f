namespace Webhooks.Storage.Database;

/// <summary>LISTEN/NOTIFY channel names shared by the SQL, the operator and the dispatcher.</summary>
public static class NotificationChannels
{
    /// <summary>New audit records await fan-out (also raised by <c>auditlog.enqueue</c>).</summary>
    public const string Events = "auditlog_events";

    /// <summary>New deliveries are due.</summary>
    public const string Deliveries = "auditlog_deliveries";

    /// <summary>The routing table changed; the payload is the new revision.</summary>
    public const string Routes = "auditlog_routes";
}

using k8s.Models;

namespace Webhooks.Operator.Reconciliation;

/// <summary>Condition types and reasons (CamelCase, as Kubernetes conventions ask) and the one helper that sets them.</summary>
public static class Conditions
{
    public const string Ready = "Ready";
    public const string SecretsResolved = "SecretsResolved";
    public const string Delivering = "Delivering";

    public static class Reasons
    {
        public const string RouteActive = "RouteActive";
        public const string Suspended = "Suspended";
        public const string InvalidSpec = "InvalidSpec";
        public const string SecretNotFound = "SecretNotFound";
        public const string SecretKeyNotFound = "SecretKeyNotFound";
        public const string EndpointDisabled = "EndpointDisabled";
        public const string Terminating = "Terminating";
        public const string Resolved = "Resolved";
        public const string Healthy = "Healthy";
        public const string DeliveryFailing = "DeliveryFailing";
        public const string NoDeliveries = "NoDeliveries";
        public const string InsecureMode = "InsecureMode";
        public const string OrganizationNotAllowed = "OrganizationNotAllowed";
    }

    /// <summary>
    /// Sets a condition, keeping <c>lastTransitionTime</c> unless the status flips, so an
    /// unchanged condition compares equal and causes no write.
    /// </summary>
    public static void Set(List<V1Condition> conditions, string type, bool status, string reason, string message, long generation, DateTimeOffset now) =>
        Put(conditions, type, status ? "True" : "False", reason, message, generation, now);

    public static void SetUnknown(List<V1Condition> conditions, string type, string reason, string message, long generation, DateTimeOffset now) =>
        Put(conditions, type, "Unknown", reason, message, generation, now);

    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);

    private static int Order(string type) => type switch
    {
        Ready => 0,
        SecretsResolved => 1,
        Delivering => 2,
        _ => 3,
    };

    private static void Put(List<V1Condition> conditions, string type, string value, string reason, string message, long generation, DateTimeOffset now)
    {
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        var transition = existing is not null && existing.Status == value ? existing.LastTransitionTime : now.UtcDateTime;
        conditions.RemoveAll(c => c.Type == type);
        conditions.Add(new V1Condition { LastTransitionTime = transition, Message = message, Reason = reason, Status = value, Type = type, ObservedGeneration = generation });
        conditions.Sort((a, b) => Order(a.Type).CompareTo(Order(b.Type)));
    }
}

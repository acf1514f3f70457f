using Webhooks.Storage.Routes;

namespace Webhooks.Dispatcher.Tests.Support;

/// <summary>Test data taken from the seed: its audit record and its "WebhookTest" webhook.</summary>
public static class Samples
{
    /// <summary>The seed's payload, with the elided parts filled in.</summary>
    public const string SeedEventId = "evt_96e428f2-b3f8-4247-8e3b-e2a3f563bd05";

    public static object SeedRecord(string? eventId = SeedEventId, string organizationId = "646f1e0c2a9b4d0012345678") => new Dictionary<string, object?>
    {
        ["data"] = new Dictionary<string, object?>
        {
            ["actor"] = new Dictionary<string, object?>
            {
                ["ip"] = "94.54.12.7",
                ["user_agent"] = "Mozilla/5.0 (KHTML, like Gecko) Chrome/142.0.0.0",
                ["username"] = "koray",
            },
            ["date"] = "2025-11-12T12:12:48.626967855Z",
            ["description"] = "User is logged in id=[67a1], name=[koray]",
            ["event_category"] = "user",
            ["event_name"] = "login",
        },
        ["event_category"] = "audit_log_creation",
        ["event_id"] = eventId,
        ["occurred_at"] = "2025-11-12T12:48Z",
        ["organization_id"] = organizationId,
    };

    /// <summary>The exact bytes the seed's payload goes out as (compact, keys in the seed's order).</summary>
    public const string SeedBody =
        """{"data":{"actor":{"ip":"94.54.12.7","user_agent":"Mozilla/5.0 (KHTML, like Gecko) Chrome/142.0.0.0","username":"koray"},"date":"2025-11-12T12:12:48.626967855Z","description":"User is logged in id=[67a1], name=[koray]","event_category":"user","event_name":"login"},"event_category":"audit_log_creation","event_id":"evt_96e428f2-b3f8-4247-8e3b-e2a3f563bd05","occurred_at":"2025-11-12T12:48Z","organization_id":"646f1e0c2a9b4d0012345678"}""";

    public static RouteDefinition Route(Uri url, string name = "webhook-test", long generation = 1) => new()
    {
        Uid = Guid.NewGuid(),
        Namespace = "default",
        Name = name,
        Generation = generation,
        DisplayName = "WebhookTest",
        Url = url.ToString(),
        Secure = false,
        Headers = [new RouteHeader("Test", "Webhook")],
        RetrySchedule = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50)],
        Timeout = TimeSpan.FromSeconds(5),
    };
}

using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Webhooks.LocalRun;

/// <summary>Sends a sample audit record now and then through the ingest API, as a producer would.</summary>
public static class AuditTrickle
{
    private static readonly (string Category, string Name, string Description)[] Events =
    [
        ("user", "login", "User is logged in id=[67a1], name=[koray]"),
        ("user", "logout", "User is logged out id=[67a1], name=[koray]"),
        ("scan", "scan_started", "Scan started project=[web-shop], tool=[zap]"),
        ("project", "project_updated", "Project settings changed project=[web-shop]"),
    ];

    public static async Task RunAsync(Uri dispatcher, string token, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = dispatcher };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var timer = new PeriodicTimer(interval);
        var n = 0;
        try
        {
            do
            {
                var (category, name, description) = Events[n++ % Events.Length];
                var record = new
                {
                    data = new
                    {
                        actor = new { ip = "127.0.0.1", user_agent = "Mozilla/5.0 (KHTML, like Gecko) Chrome/142.0.0.0", username = "koray" },
                        date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                        description,
                        event_category = category,
                        event_name = name,
                    },
                    organization_id = "646f1e0c2a9b4d0012345678",
                };
                try
                {
                    using var response = await client.PostAsJsonAsync("/v1/audit-logs", record, cancellationToken);
                    Console.WriteLine($"producer: POST /v1/audit-logs {category}/{name} -> {(int)response.StatusCode}");
                }
                catch (HttpRequestException exception)
                {
                    Console.WriteLine($"producer: {exception.Message}");
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}

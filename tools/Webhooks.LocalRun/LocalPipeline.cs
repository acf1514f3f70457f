using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Dispatcher;
using Webhooks.Storage.Routes;
using Webhooks.Storage.Security;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.LocalRun;

/// <summary>
/// Throwaway PostgreSQL, the dispatcher, a demo receiver, the seed's sample webhook and a trickle
/// of audit records, all on 127.0.0.1, torn down on Ctrl-C.
/// </summary>
public static class LocalPipeline
{
    public static async Task RunAsync(LocalRunOptions options, CancellationToken stopping)
    {
        Console.WriteLine("Starting a throwaway PostgreSQL …");
        await using var postgres = await PostgresCluster.StartAsync(cancellationToken: stopping);
        var connectionString = await postgres.CreateDatabaseAsync(stopping);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

        await using var receiver = await DemoReceiver.StartAsync(options.ReceiverPort, stopping);
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{options.DispatcherPort}",
            ["Database:ConnectionString"] = connectionString,
            ["Ingest:Tokens:0"] = token,
            ["Ingest:TokensPath"] = null,
            ["Encryption:KeysPath"] = null,
            ["Encryption:Keys:local"] = SecretCipher.GenerateKey(),
            ["Encryption:ActiveKeyId"] = "local",
            ["Logging:LogLevel:Default"] = "Warning",
            // The demo receiver is on loopback, which webhooks may not reach unless allowed.
            ["Delivery:AllowedCidrs:0"] = "127.0.0.0/8",
            ["Delivery:AllowedCidrs:1"] = "::1/128",
        });
        builder.AddDispatcher();
        await using var dispatcher = builder.Build();
        dispatcher.MapDispatcher();
        await dispatcher.StartAsync(stopping);

        await dispatcher.Services.GetRequiredService<RouteRepository>().UpsertAsync(SampleRoute(options.ReceiverPort), stopping);
        var dispatcherUrl = new Uri($"http://127.0.0.1:{options.DispatcherPort}");
        Console.WriteLine($"""

            Dispatcher   {dispatcherUrl}  (ingest: POST /v1/audit-logs, metrics: /metrics)
            Receiver     http://127.0.0.1:{options.ReceiverPort}/hook  (prints every delivery below)
            Webhook      default/webhook-test "WebhookTest", header Test: Webhook
            Token        {token}

            Send your own:
              curl -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \
                -d '{"{"}"organization_id":"646f","data":{"{"}"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"{"}"}{"}"}' \
                {dispatcherUrl}v1/audit-logs

            Ctrl-C stops everything and removes the database.
            """);

        await AuditTrickle.RunAsync(dispatcherUrl, token, options.TrickleInterval, stopping);
        Console.WriteLine("Stopping …");
        await dispatcher.StopAsync(CancellationToken.None);
        await receiver.StopAsync(CancellationToken.None);
    }

    private static RouteDefinition SampleRoute(int receiverPort) => new()
    {
        Uid = Guid.Parse("6a1c0f43-4f4e-4c8c-9a55-5e0f7c1e2d01"),
        Namespace = "default",
        Name = "webhook-test",
        Generation = 1,
        DisplayName = "WebhookTest",
        Url = $"http://127.0.0.1:{receiverPort}/hook",
        Secure = false,
        Headers = [new RouteHeader("Test", "Webhook")],
    };
}

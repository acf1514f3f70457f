using System.Security.Cryptography;
using Webhooks.Dispatcher;
using Webhooks.Operator;
using Webhooks.Storage.Security;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.LocalRun;

/// <summary>
/// Throwaway PostgreSQL, the operator in file mode on the sample manifests, the dispatcher, a
/// demo receiver and a trickle of audit records, all on 127.0.0.1, torn down on Ctrl-C.
/// </summary>
public static class LocalPipeline
{
    public static async Task RunAsync(LocalRunOptions options, CancellationToken stopping)
    {
        Console.WriteLine("Starting a throwaway PostgreSQL …");
        await using var postgres = await PostgresCluster.StartAsync(cancellationToken: stopping);
        var connectionString = await postgres.CreateDatabaseAsync(stopping);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var shared = new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = connectionString,
            ["Encryption:KeysPath"] = null,
            ["Encryption:Keys:local"] = SecretCipher.GenerateKey(),
            ["Encryption:ActiveKeyId"] = "local",
            ["Logging:LogLevel:Default"] = "Warning",
        };

        await using var receiver = await DemoReceiver.StartAsync(options.ReceiverPort, stopping);
        await using var dispatcher = await StartAsync(b => b.AddDispatcher(), a => a.MapDispatcher(), shared, new()
        {
            ["Urls"] = $"http://127.0.0.1:{options.DispatcherPort}",
            ["Ingest:Tokens:0"] = token,
            ["Ingest:TokensPath"] = null,
            // The demo receiver is on loopback, which webhooks may not reach unless allowed.
            ["Delivery:AllowedCidrs:0"] = "127.0.0.0/8",
            ["Delivery:AllowedCidrs:1"] = "::1/128",
        }, stopping);
        await using var @operator = await StartAsync(b => b.AddOperator(), a => a.MapOperator(), shared, new()
        {
            ["Urls"] = $"http://127.0.0.1:{options.OperatorPort}",
            ["Operator:Source"] = "Files",
            ["Operator:ManifestsPath"] = options.ManifestsPath,
            // Status and Events go to the log in file mode: show them.
            ["Logging:LogLevel:Webhooks.Operator.Files"] = "Information",
        }, stopping);

        var dispatcherUrl = new Uri($"http://127.0.0.1:{options.DispatcherPort}");
        Console.WriteLine($"""

            Operator     file mode on {options.ManifestsPath} (edit a manifest: the change is applied at once)
                         metrics: http://127.0.0.1:{options.OperatorPort}/metrics
            Dispatcher   {dispatcherUrl}  (ingest: POST /v1/audit-logs, metrics: /metrics)
            Receiver     http://127.0.0.1:{options.ReceiverPort}/hook  (prints every delivery below; the
                         other samples point at example.com and show how failing deliveries look)
            Token        {token}

            Send your own:
              curl -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \
                -d '{"{"}"organization_id":"646f","data":{"{"}"date":"2025-11-12T12:12:48Z","event_category":"user","event_name":"login"{"}"}{"}"}' \
                {dispatcherUrl}v1/audit-logs

            Ctrl-C stops everything and removes the database.
            """);

        await AuditTrickle.RunAsync(dispatcherUrl, token, options.TrickleInterval, stopping);
        Console.WriteLine("Stopping …");
        await @operator.StopAsync(CancellationToken.None);
        await dispatcher.StopAsync(CancellationToken.None);
        await receiver.StopAsync(CancellationToken.None);
    }

    private static async Task<WebApplication> StartAsync(
        Action<WebApplicationBuilder> add, Action<WebApplication> map, Dictionary<string, string?> shared, Dictionary<string, string?> own, CancellationToken stopping)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(shared.Concat(own));
        add(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync(stopping);
        return app;
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webhooks.Dispatcher;
using Webhooks.Storage.Routes;
using Webhooks.Storage.Security;
using Webhooks.TestSupport.Hosting;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.TestSupport.Dispatcher;

/// <summary>
/// A real dispatcher, in process: the same <c>AddDispatcher</c>/<c>MapDispatcher</c> as Program.cs,
/// Kestrel on 127.0.0.1:0, its own fresh database on the shared test cluster.
/// </summary>
public sealed class DispatcherHost : IAsyncDisposable
{
    public const string Token = "test-ingest-token-0123456789";
    public static readonly string EncryptionKey = SecretCipher.GenerateKey();

    private DispatcherHost(WebApplication app, string connectionString)
    {
        App = app;
        ConnectionString = connectionString;
        Client = new HttpClient { BaseAddress = app.Address() };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public WebApplication App { get; }

    public string ConnectionString { get; }

    /// <summary>Authorized for the ingest API.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public RouteRepository Routes => Services.GetRequiredService<RouteRepository>();

    /// <summary>
    /// Configuration any dispatcher under test gets: the database, the token, a key, quick
    /// polling, and loopback allowed as a destination, because every test receiver listens on
    /// 127.0.0.1 or ::1 (the SSRF tests take the allowance away).
    /// </summary>
    public static Dictionary<string, string?> BaseSettings(string connectionString) => new()
    {
        ["Database:ConnectionString"] = connectionString,
        ["Ingest:Tokens:0"] = Token,
        ["Ingest:TokensPath"] = null,
        ["Encryption:KeysPath"] = null,
        ["Encryption:Keys:test"] = EncryptionKey,
        ["Encryption:ActiveKeyId"] = "test",
        ["Delivery:PollInterval"] = "00:00:00.200",
        ["Delivery:AllowedCidrs:0"] = "127.0.0.0/8",
        ["Delivery:AllowedCidrs:1"] = "::1/128",
    };

    /// <summary>Settings that replace the base allow-list: give these to a dispatcher that must refuse loopback.</summary>
    public static Dictionary<string, string?> AllowedCidrs(params string[] cidrs)
    {
        var settings = new Dictionary<string, string?> { ["Delivery:AllowedCidrs:0"] = null, ["Delivery:AllowedCidrs:1"] = null };
        for (var i = 0; i < cidrs.Length; i++)
        {
            settings[$"Delivery:AllowedCidrs:{i}"] = cidrs[i];
        }

        return settings;
    }

    /// <param name="settings">Overrides of <see cref="BaseSettings"/>; a null value removes the key.</param>
    /// <param name="services">Registrations made before the dispatcher's own, so they win (a resolver, a dialer).</param>
    public static async Task<DispatcherHost> StartAsync(
        Dictionary<string, string?>? settings = null, string? connectionString = null, TimeProvider? timeProvider = null, Action<IServiceCollection>? services = null)
    {
        connectionString ??= await (await PostgresCluster.Shared).CreateDatabaseAsync();
        var app = await InProcessApp.StartAsync(BaseSettings(connectionString), settings, builder =>
        {
            if (timeProvider is not null)
            {
                builder.Services.AddSingleton(timeProvider);
            }

            services?.Invoke(builder.Services);
            builder.AddDispatcher();
        }, app => app.MapDispatcher());
        return new DispatcherHost(app, connectionString);
    }

    public Task<HttpResponseMessage> IngestAsync(object records) => Client.PostAsJsonAsync("/v1/audit-logs", records);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

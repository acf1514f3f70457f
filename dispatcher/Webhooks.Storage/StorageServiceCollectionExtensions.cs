using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Storage.Database;
using Webhooks.Storage.Deliveries;
using Webhooks.Storage.Events;
using Webhooks.Storage.Maintenance;
using Webhooks.Storage.Routes;
using Webhooks.Storage.Security;

namespace Webhooks.Storage;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>An Npgsql connection string.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;
}

public static class StorageServiceCollectionExtensions
{
    /// <summary>The data source, migrations, cipher and repositories both processes share.</summary>
    public static IServiceCollection AddWebhooksStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EncryptionOptions>().Bind(configuration.GetSection(EncryptionOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            if (!Names(connectionString, "No Reset On Close", "NoResetOnClose"))
            {
                // Otherwise every pooled connection handed back sends DISCARD ALL, a transaction of
                // its own: twice the commits per delivery. Nothing here leaves session state behind
                // (the LISTEN connection is held for its lifetime, the migration lock released in a
                // finally, transactions are always ended), so there is nothing to discard.
                builder.ConnectionStringBuilder.NoResetOnClose = true;
            }

            if (!Names(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
            {
                // The hot statements (claim, record, fan-out) run thousands of times a second:
                // prepared once per connection, each execution skips parsing and planning.
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            }

            builder.UseLoggerFactory(sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>());
            return builder.Build();
        });
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<SecretCipher>();
        services.AddSingleton<RouteRepository>();
        services.AddSingleton<EventRepository>();
        services.AddSingleton<DeliveryRepository>();
        services.AddSingleton<RetentionRepository>();
        services.TryAddTimeProvider();
        return services;
    }

    /// <summary>Whether the deployment set this connection-string option itself; then its choice stands.</summary>
    private static bool Names(string connectionString, params string[] keys)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return keys.Any(given.ContainsKey);
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

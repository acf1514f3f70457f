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
            if (!NamesResetOnClose(connectionString))
            {
                // Otherwise every pooled connection handed back sends DISCARD ALL, a transaction of
                // its own: twice the commits per delivery. Nothing here leaves session state behind
                // (the LISTEN connection is held for its lifetime, the migration lock released in a
                // finally, transactions are always ended), so there is nothing to discard.
                builder.ConnectionStringBuilder.NoResetOnClose = true;
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

    /// <summary>Whether the operator of this deployment chose the reset behaviour explicitly; then theirs stands.</summary>
    private static bool NamesResetOnClose(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.ContainsKey("No Reset On Close") || given.ContainsKey("NoResetOnClose");
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

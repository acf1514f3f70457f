using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Storage.Database;
using Webhooks.Storage.Routes;
using Webhooks.Storage.Security;

namespace Webhooks.Dispatcher.Tests.Support;

/// <summary>Storage objects built by hand, for tests that run no in-process dispatcher.</summary>
public static class Standalone
{
    public static SecretCipher Cipher(string key = "") => new(Options.Create(new EncryptionOptions
    {
        Keys = { ["test"] = key.Length > 0 ? key : DispatcherHost.EncryptionKey },
        ActiveKeyId = "test",
    }));

    public static RouteRepository Routes(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null) =>
        new(dataSource, Cipher(), timeProvider ?? TimeProvider.System);

    public static async Task<NpgsqlDataSource> MigratedAsync(string connectionString)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
        return dataSource;
    }
}

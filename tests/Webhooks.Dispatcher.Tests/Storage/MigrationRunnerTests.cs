using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Database;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.Dispatcher.Tests.Storage;

public sealed class MigrationRunnerTests
{
    [Fact]
    public async Task Migrate_FromFourProcessesAtOnce_AppliesEachMigrationOnce()
    {
        var connectionString = await (await PostgresCluster.Shared).CreateDatabaseAsync();
        var runners = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();

        var applied = await Task.WhenAll(runners.Select(d => new MigrationRunner(d, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None)));

        Assert.Equal(MigrationRunner.Embedded.Count, applied.Sum());
        Assert.Equal(MigrationRunner.Embedded.Count, await Database.ScalarAsync<long>(connectionString, "select count(*) from auditlog.schema_migrations"));
        Assert.Equal(MigrationRunner.LatestVersion, await new MigrationRunner(runners[0], NullLogger<MigrationRunner>.Instance).CurrentVersionAsync(CancellationToken.None));
        foreach (var runner in runners)
        {
            await runner.DisposeAsync();
        }
    }

    [Fact]
    public async Task Migrate_AgainOnAMigratedDatabase_IsANoOp()
    {
        var connectionString = await (await PostgresCluster.Shared).CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
        Assert.Equal(0, await runner.CurrentVersionAsync(CancellationToken.None));

        await runner.MigrateAsync(CancellationToken.None);

        Assert.Equal(0, await runner.MigrateAsync(CancellationToken.None));
    }

    [Fact]
    public void Embedded_Migrations_AreNumberedWithoutGaps()
    {
        Assert.Equal(Enumerable.Range(1, MigrationRunner.Embedded.Count), MigrationRunner.Embedded.Select(m => m.Version));
    }
}

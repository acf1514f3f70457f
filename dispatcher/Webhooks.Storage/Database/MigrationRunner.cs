using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Webhooks.Storage.Database;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> files in order, each in its own
/// transaction, under a session advisory lock so that processes starting together take turns.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    // "WEBHOOKS" in ASCII: an arbitrary key no other application on the database is likely to use.
    private const long AdvisoryLockKey = 0x57_45_42_48_4F_4F_4B_53;

    private const string PrepareSql = """
        create schema if not exists auditlog;
        create table if not exists auditlog.schema_migrations (
            version    integer     primary key,
            name       text        not null,
            applied_at timestamptz not null default now()
        );
        """;

    private const string AppliedSql = "select version from auditlog.schema_migrations";
    private const string RecordSql = "insert into auditlog.schema_migrations (version, name) values ($1, $2)";

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    public static int LatestVersion => Embedded[^1].Version;

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"select pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, PrepareSql, cancellationToken);
            var applied = new HashSet<int>();
            await using (var command = new NpgsqlCommand(AppliedSql, connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var count = 0;
            foreach (var migration in Embedded.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, migration.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand(RecordSql, connection))
                {
                    record.Parameters.Add(new() { Value = migration.Version });
                    record.Parameters.Add(new() { Value = migration.Name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                Log.MigrationApplied(logger, migration.Version, migration.Name);
                count++;
            }

            return count;
        }
        finally
        {
            await ExecuteAsync(connection, $"select pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The highest applied version, or 0 when the schema does not exist yet.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        // Two statements: a query naming a missing table fails at parse time, whatever guards it.
        const string existsSql = "select to_regclass('auditlog.schema_migrations') is not null";
        const string versionSql = "select coalesce(max(version), 0) from auditlog.schema_migrations";
        await using (var exists = dataSource.CreateCommand(existsSql))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }

        await using var command = dataSource.CreateCommand(versionSql);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal)))
        {
            var fileName = resource["Migrations.".Length..^".sql".Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(fileName[..separator], System.Globalization.CultureInfo.InvariantCulture), fileName[(separator + 1)..], reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }
}

public sealed record Migration(int Version, string Name, string Sql);

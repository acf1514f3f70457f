using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using Webhooks.Storage.Database;
using Webhooks.Storage.Security;

namespace Webhooks.Storage.Routes;

/// <summary>
/// The routes table: the contract between operator (writes) and dispatcher (reads). Every change
/// bumps <c>route_table.revision</c> and notifies <see cref="NotificationChannels.Routes"/> in the
/// same transaction.
/// </summary>
public sealed class RouteRepository(NpgsqlDataSource dataSource, SecretCipher cipher, TimeProvider timeProvider)
{
    private const string BumpRevisionSql = """
        with bumped as (update auditlog.route_table set revision = revision + 1 returning revision)
        select revision, pg_notify('auditlog_routes', revision::text) from bumped
        """;

    /// <summary>Writes the route with no signing-key overlap; see <see cref="UpsertAsync(RouteDefinition, TimeSpan, CancellationToken)"/>.</summary>
    public async Task<bool> UpsertAsync(RouteDefinition route, CancellationToken cancellationToken) =>
        (await UpsertAsync(route, TimeSpan.Zero, cancellationToken)).Changed;

    /// <summary>
    /// Writes the route unless the stored one is from a newer generation or already identical, so
    /// replays and stale reconciles are no-ops. A newer generation re-enables a route the
    /// dispatcher disabled (the user changed the Webhook).
    /// When the route's signing key differs from the stored one, the stored key keeps signing
    /// beside it for <paramref name="signingKeyOverlap"/>, so receivers can switch keys without
    /// rejecting a request; the caller upserts again when <see cref="RouteUpsert.RotationEndsAt"/>
    /// has passed, which drops the old key.
    /// </summary>
    public async Task<RouteUpsert> UpsertAsync(RouteDefinition route, TimeSpan signingKeyOverlap, CancellationToken cancellationToken)
    {
        const string currentSql = "select key_id, sealed_secrets, signing_rotation_ends_at from auditlog.routes where uid = $1 for update";
        const string sql = """
            insert into auditlog.routes as r (uid, namespace, name, generation, display_name, url, headers, events,
                filter_categories, filter_names, filter_organizations, secure, timeout_ms, max_attempts, retry_schedule_ms,
                suspended, ca_certificates_pem, key_id, sealed_secrets, content_hash, signing_rotation_ends_at, revision, updated_at)
            values (@uid, @namespace, @name, @generation, @display_name, @url, @headers, @events,
                @filter_categories, @filter_names, @filter_organizations, @secure, @timeout_ms, @max_attempts, @retry_schedule_ms,
                @suspended, @ca_certificates_pem, @key_id, @sealed_secrets, @content_hash, @rotation_ends_at,
                (select revision + 1 from auditlog.route_table), @now)
            on conflict (uid) do update set
                namespace = excluded.namespace, name = excluded.name, generation = excluded.generation,
                display_name = excluded.display_name, url = excluded.url, headers = excluded.headers, events = excluded.events,
                filter_categories = excluded.filter_categories, filter_names = excluded.filter_names,
                filter_organizations = excluded.filter_organizations, secure = excluded.secure, timeout_ms = excluded.timeout_ms,
                max_attempts = excluded.max_attempts, retry_schedule_ms = excluded.retry_schedule_ms, suspended = excluded.suspended,
                ca_certificates_pem = excluded.ca_certificates_pem,
                key_id = excluded.key_id, sealed_secrets = excluded.sealed_secrets, content_hash = excluded.content_hash,
                signing_rotation_ends_at = excluded.signing_rotation_ends_at, revision = excluded.revision, updated_at = excluded.updated_at,
                disabled_at = case when excluded.generation > r.generation then null else r.disabled_at end,
                disabled_reason = case when excluded.generation > r.generation then null else r.disabled_reason end
            where excluded.generation > r.generation
               or (excluded.generation = r.generation and excluded.content_hash <> r.content_hash)
            """;

        var now = timeProvider.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        IReadOnlyList<string> storedKeys = [];
        DateTimeOffset? storedRotationEnd = null;
        await using (var current = new NpgsqlCommand(currentSql, connection, transaction) { Parameters = { new() { Value = route.Uid } } })
        await using (var reader = await current.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(1))
            {
                storedKeys = JsonSerializer.Deserialize(cipher.Open(reader.GetString(0), reader.GetFieldValue<byte[]>(1), route.Uid), StorageJson.Default.SealedSecrets)!.SigningKeys;
                storedRotationEnd = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
            }
        }

        var (signingKeys, rotationEndsAt) = SigningKeyRotation.Next(route.SigningKeys, storedKeys, storedRotationEnd, signingKeyOverlap, now);
        route = route with { SigningKeys = signingKeys };
        var sealedSecrets = SealedSecrets.From(route);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(sealedSecrets, StorageJson.Default.SealedSecrets);
        var headers = route.Headers.Select(h => new StoredHeader(h.Name, h.FromSecret ? null : h.Value, h.FromSecret)).ToList();
        var headersJson = JsonSerializer.Serialize(headers, StorageJson.Default.ListStoredHeader);
        var contentHash = cipher.Hash(JsonSerializer.SerializeToUtf8Bytes(route, StorageJson.Default.RouteDefinition));
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("uid", route.Uid);
        p.AddWithValue("namespace", route.Namespace);
        p.AddWithValue("name", route.Name);
        p.AddWithValue("generation", route.Generation);
        p.AddWithValue("display_name", route.DisplayName);
        p.AddWithValue("url", route.UrlFromSecret ? DBNull.Value : route.Url);
        p.AddWithValue("headers", NpgsqlDbType.Jsonb, headersJson);
        p.AddWithValue("events", route.Events.ToArray());
        p.AddWithValue("filter_categories", route.FilterCategories.ToArray());
        p.AddWithValue("filter_names", route.FilterNames.ToArray());
        p.AddWithValue("filter_organizations", route.FilterOrganizations.ToArray());
        p.AddWithValue("secure", route.Secure);
        p.AddWithValue("timeout_ms", (int)route.Timeout.TotalMilliseconds);
        p.AddWithValue("max_attempts", route.MaxAttempts);
        p.AddWithValue("retry_schedule_ms", NpgsqlDbType.Array | NpgsqlDbType.Integer,
            route.RetrySchedule is null ? DBNull.Value : route.RetrySchedule.Select(d => (int)d.TotalMilliseconds).ToArray());
        p.AddWithValue("suspended", route.Suspended);
        p.AddWithValue("ca_certificates_pem", NpgsqlDbType.Text, (object?)route.CaCertificatesPem ?? DBNull.Value);
        p.AddWithValue("key_id", cipher.ActiveKeyId);
        p.AddWithValue("sealed_secrets", cipher.Seal(plaintext, route.Uid));
        p.AddWithValue("content_hash", contentHash);
        p.AddWithValue("rotation_ends_at", NpgsqlDbType.TimestampTz, rotationEndsAt is { } end ? end : DBNull.Value);
        p.AddWithValue("now", now);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return new RouteUpsert(false, rotationEndsAt);
        }

        await BumpRevisionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RouteUpsert(true, rotationEndsAt);
    }

    /// <summary>
    /// Removes the route. Its deliveries still pending are recorded as failed ("route deleted")
    /// rather than dropped: an accepted audit record always ends delivered or failed.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid uid, CancellationToken cancellationToken)
    {
        const string sql = """
            with gone as (delete from auditlog.routes where uid = @uid returning uid)
            update auditlog.deliveries d set state = 'failed', last_error = 'route deleted', updated_at = @now
            from gone where d.route_uid = gone.uid and d.state = 'pending'
            """;
        const string existsSql = "select exists (select 1 from auditlog.routes where uid = @uid)";

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand(existsSql, connection, transaction))
        {
            exists.Parameters.AddWithValue("uid", uid);
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.Parameters.AddWithValue("uid", uid);
            command.Parameters.AddWithValue("now", timeProvider.GetUtcNow());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await BumpRevisionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The dispatcher-maintained state of one route (revision, 410-disabled), or null when absent.</summary>
    public async Task<RouteState?> GetStateAsync(Guid uid, CancellationToken cancellationToken)
    {
        const string sql = "select revision, generation, disabled_at, disabled_reason from auditlog.routes where uid = $1";
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = uid });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new RouteState(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    /// <summary>Uids of the routes in the table with their namespace and name, for cleaning up routes whose Webhook vanished.</summary>
    public async Task<IReadOnlyList<(Guid Uid, string Namespace, string Name)>> ListKeysAsync(CancellationToken cancellationToken)
    {
        const string sql = "select uid, namespace, name from auditlog.routes";
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<(Guid, string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add((reader.GetGuid(0), reader.GetString(1), reader.GetString(2)));
        }

        return keys;
    }

    public async Task<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        const string sql = "select revision from auditlog.route_table";
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The whole table, secrets opened, read in one snapshot together with its revision.</summary>
    public async Task<RouteTableSnapshot> LoadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        return await LoadAllAsync(connection, transaction, cancellationToken);
    }

    /// <summary>Reads the table inside the caller's transaction, so callers can match against exactly what it sees.</summary>
    public async Task<RouteTableSnapshot> LoadAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        const string revisionSql = "select revision from auditlog.route_table";
        const string routesSql = """
            select uid, namespace, name, generation, display_name, url, headers::text, events, filter_categories,
                   filter_names, filter_organizations, secure, timeout_ms, max_attempts, retry_schedule_ms, suspended,
                   key_id, sealed_secrets, revision, disabled_at, disabled_reason, ca_certificates_pem
            from auditlog.routes
            """;

        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new(revisionSql), new(routesSql) } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var tableRevision = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var routes = new List<StoredRoute>();
        while (await reader.ReadAsync(cancellationToken))
        {
            routes.Add(ReadRoute(reader));
        }

        return new RouteTableSnapshot(tableRevision, routes);
    }

    /// <summary>
    /// Disables a route whose endpoint answered 410 Gone, for the dispatcher's result batch: its
    /// other pending deliveries become failed (replayable) and the routing table is bumped.
    /// </summary>
    public static NpgsqlBatchCommand DisableCommand(Guid uid, string reason, long exceptDeliveryId, DateTimeOffset now)
    {
        const string sql = """
            with disabled as (
                update auditlog.routes set disabled_at = $2, disabled_reason = $3
                where uid = $1 and disabled_at is null returning uid
            ), failed as (
                update auditlog.deliveries d set state = 'failed', last_error = 'endpoint disabled: ' || $3, updated_at = $2
                from disabled where d.route_uid = disabled.uid and d.state = 'pending' and d.id <> $4
            )
            update auditlog.route_table set revision = revision + 1
            where exists (select 1 from disabled)
            returning pg_notify('auditlog_routes', revision::text)
            """;
        return new NpgsqlBatchCommand(sql) { Parameters = { new() { Value = uid }, new() { Value = now }, new() { Value = reason }, new() { Value = exceptDeliveryId } } };
    }

    private StoredRoute ReadRoute(NpgsqlDataReader reader)
    {
        var uid = reader.GetGuid(0);
        var storedHeaders = JsonSerializer.Deserialize(reader.GetString(6), StorageJson.Default.ListStoredHeader) ?? [];
        var secrets = reader.IsDBNull(17)
            ? new SealedSecrets(null, [], [])
            : JsonSerializer.Deserialize(cipher.Open(reader.GetString(16), reader.GetFieldValue<byte[]>(17), uid), StorageJson.Default.SealedSecrets)!;
        var secretHeaders = new Queue<string>(secrets.Headers);
        var headers = storedHeaders.Select(h => new RouteHeader(h.Name, h.Secret ? secretHeaders.Dequeue() : h.Value ?? string.Empty, h.Secret)).ToList();
        var definition = new RouteDefinition
        {
            Uid = uid,
            Namespace = reader.GetString(1),
            Name = reader.GetString(2),
            Generation = reader.GetInt64(3),
            DisplayName = reader.GetString(4),
            Url = reader.IsDBNull(5) ? secrets.Url ?? string.Empty : reader.GetString(5),
            UrlFromSecret = reader.IsDBNull(5),
            Headers = headers,
            Events = reader.GetFieldValue<string[]>(7),
            FilterCategories = reader.GetFieldValue<string[]>(8),
            FilterNames = reader.GetFieldValue<string[]>(9),
            FilterOrganizations = reader.GetFieldValue<string[]>(10),
            Secure = reader.GetBoolean(11),
            Timeout = TimeSpan.FromMilliseconds(reader.GetInt32(12)),
            MaxAttempts = reader.GetInt32(13),
            RetrySchedule = reader.IsDBNull(14) ? null : reader.GetFieldValue<int[]>(14).Select(ms => TimeSpan.FromMilliseconds(ms)).ToList(),
            Suspended = reader.GetBoolean(15),
            SigningKeys = secrets.SigningKeys,
            CaCertificatesPem = reader.IsDBNull(21) ? null : reader.GetString(21),
            ClientCertificatePem = secrets.ClientCertificatePem,
            ClientKeyPem = secrets.ClientKeyPem,
        };
        return new StoredRoute(definition, reader.GetInt64(18), reader.IsDBNull(19) ? null : reader.GetFieldValue<DateTimeOffset>(19), reader.IsDBNull(20) ? null : reader.GetString(20));
    }

    private static async Task BumpRevisionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var bump = new NpgsqlCommand(BumpRevisionSql, connection, transaction);
        await bump.ExecuteNonQueryAsync(cancellationToken);
    }

    internal sealed record StoredHeader(string Name, string? Value, bool Secret);

    /// <summary>The sealed blob's content. Fields added later default to null, so blobs sealed before them still open.</summary>
    internal sealed record SealedSecrets(
        string? Url, IReadOnlyList<string> Headers, IReadOnlyList<string> SigningKeys, string? ClientCertificatePem = null, string? ClientKeyPem = null)
    {
        public static SealedSecrets From(RouteDefinition route) => new(
            route.UrlFromSecret ? route.Url : null,
            route.Headers.Where(h => h.FromSecret).Select(h => h.Value).ToList(),
            route.SigningKeys,
            route.ClientCertificatePem,
            route.ClientKeyPem);
    }
}

public sealed record RouteTableSnapshot(long Revision, IReadOnlyList<StoredRoute> Routes);

/// <param name="RotationEndsAt">While a previous signing key still signs: when it stops.</param>
public sealed record RouteUpsert(bool Changed, DateTimeOffset? RotationEndsAt);

public sealed record RouteState(long Revision, long Generation, DateTimeOffset? DisabledAt, string? DisabledReason);

[JsonSerializable(typeof(RouteRepository.SealedSecrets))]
[JsonSerializable(typeof(List<RouteRepository.StoredHeader>))]
[JsonSerializable(typeof(RouteDefinition))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class StorageJson : JsonSerializerContext;

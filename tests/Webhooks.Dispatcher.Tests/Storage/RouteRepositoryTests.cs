using Npgsql;
using Webhooks.Dispatcher.Tests.Support;
using Webhooks.Storage.Routes;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.Dispatcher.Tests.Storage;

public sealed class RouteRepositoryTests : IAsyncLifetime
{
    private NpgsqlDataSource _dataSource = null!;
    private string _connectionString = null!;
    private RouteRepository _routes = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await (await PostgresCluster.Shared).CreateDatabaseAsync();
        _dataSource = await Standalone.MigratedAsync(_connectionString);
        _routes = Standalone.Routes(_dataSource);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task Upsert_SameGenerationAndContent_IsANoOpAndKeepsTheRevision()
    {
        var route = Samples.Route(new Uri("http://127.0.0.1:9/hook"));
        Assert.True(await _routes.UpsertAsync(route, CancellationToken.None));
        var revision = await _routes.GetRevisionAsync(CancellationToken.None);

        Assert.False(await _routes.UpsertAsync(route, CancellationToken.None));
        Assert.Equal(revision, await _routes.GetRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Upsert_OlderGeneration_IsIgnored()
    {
        var route = Samples.Route(new Uri("http://127.0.0.1:9/new"), generation: 5);
        await _routes.UpsertAsync(route, CancellationToken.None);

        Assert.False(await _routes.UpsertAsync(route with { Generation = 4, Url = "http://127.0.0.1:9/stale" }, CancellationToken.None));

        Assert.Equal("http://127.0.0.1:9/new", (await _routes.LoadAllAsync(CancellationToken.None)).Routes.Single().Definition.Url);
    }

    [Fact]
    public async Task Upsert_RotatedSecretAtSameGeneration_UpdatesRouteAndBumpsRevision()
    {
        var route = Samples.Route(new Uri("http://127.0.0.1:9/hook")) with { Headers = [new("Authorization", "Bearer old", FromSecret: true)] };
        await _routes.UpsertAsync(route, CancellationToken.None);
        var revision = await _routes.GetRevisionAsync(CancellationToken.None);

        Assert.True(await _routes.UpsertAsync(route with { Headers = [new("Authorization", "Bearer new", FromSecret: true)] }, CancellationToken.None));

        Assert.Equal(revision + 1, await _routes.GetRevisionAsync(CancellationToken.None));
        var loaded = (await _routes.LoadAllAsync(CancellationToken.None)).Routes.Single().Definition;
        Assert.Equal(new RouteHeader("Authorization", "Bearer new", true), Assert.Single(loaded.Headers));
    }

    [Fact]
    public async Task LoadAll_RoundTripsEveryField_AndSealsSecretsAtRest()
    {
        var route = Samples.Route(new Uri("https://hooks.example.com/T0KEN")) with
        {
            UrlFromSecret = true,
            Secure = true,
            Headers = [new("Test", "Webhook"), new("Authorization", "Bearer s3cr3t", FromSecret: true), new("X-Plain", "p")],
            SigningKeys = ["whsec_c2lnbmluZy1rZXk="],
            FilterCategories = ["user"],
            FilterNames = ["login", "logout"],
            FilterOrganizations = ["org-1"],
            MaxAttempts = 4,
            Suspended = true,
        };
        await _routes.UpsertAsync(route, CancellationToken.None);

        var loaded = (await _routes.LoadAllAsync(CancellationToken.None)).Routes.Single().Definition;

        Assert.Equal(route.Url, loaded.Url);
        Assert.Equal(route.Headers, loaded.Headers);
        Assert.Equal(route.SigningKeys, loaded.SigningKeys);
        Assert.Equal(route.FilterNames, loaded.FilterNames);
        Assert.Equal(route.RetrySchedule, loaded.RetrySchedule);
        Assert.Equal((route.MaxAttempts, route.Suspended, route.Secure, route.Timeout), (loaded.MaxAttempts, loaded.Suspended, loaded.Secure, loaded.Timeout));
        var stored = await Database.ScalarAsync<string>(_connectionString, "select string_agg(t::text, '') from (select * from auditlog.routes) t");
        Assert.DoesNotContain("s3cr3t", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("T0KEN", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("c2lnbmluZy1rZXk", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAll_RoundTripsTlsSettings_CaInTheClear_ClientKeySealed()
    {
        var route = Samples.Route(new Uri("https://hooks.example.com/hook")) with
        {
            CaCertificatesPem = "-----BEGIN CERTIFICATE-----\nQ0EtYnVuZGxl\n-----END CERTIFICATE-----\n",
            ClientCertificatePem = "-----BEGIN CERTIFICATE-----\nY2xpZW50LWNlcnQ=\n-----END CERTIFICATE-----\n",
            ClientKeyPem = "-----BEGIN PRIVATE KEY-----\nY2xpZW50LWtleQ==\n-----END PRIVATE KEY-----\n",
        };
        await _routes.UpsertAsync(route, CancellationToken.None);
        var revision = await _routes.GetRevisionAsync(CancellationToken.None);

        var loaded = (await _routes.LoadAllAsync(CancellationToken.None)).Routes.Single().Definition;

        Assert.Equal((route.CaCertificatesPem, route.ClientCertificatePem, route.ClientKeyPem), (loaded.CaCertificatesPem, loaded.ClientCertificatePem, loaded.ClientKeyPem));
        Assert.Equal(route.CaCertificatesPem, await Database.ScalarAsync<string>(_connectionString, "select ca_certificates_pem from auditlog.routes"));
        var stored = await Database.ScalarAsync<string>(_connectionString, "select string_agg(t::text, '') from (select * from auditlog.routes) t");
        Assert.DoesNotContain("Y2xpZW50LWtleQ", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", stored, StringComparison.Ordinal);

        // A new client key alone (a renewed Secret) is a change: the dispatcher reloads and rebuilds the route's client.
        Assert.True(await _routes.UpsertAsync(route with { ClientKeyPem = route.ClientKeyPem.Replace("Y2xp", "bmV3", StringComparison.Ordinal) }, CancellationToken.None));
        Assert.Equal(revision + 1, await _routes.GetRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public void SealedSecrets_SealedBeforeTlsFieldsExisted_StillOpen()
    {
        var secrets = System.Text.Json.JsonSerializer.Deserialize("""{"url":null,"headers":["h"],"signingKeys":["whsec_a2V5"]}""", StorageJson.Default.SealedSecrets)!;

        Assert.Equal((null, null), (secrets.ClientCertificatePem, secrets.ClientKeyPem));
        Assert.Equal(["whsec_a2V5"], secrets.SigningKeys);
    }

    [Fact]
    public void ToString_ShowsWhichRouteButNoSecret()
    {
        var route = Samples.Route(new Uri("https://hooks.example.com/T0KEN")) with
        {
            UrlFromSecret = true,
            SigningKeys = ["whsec_c2lnbmluZy1rZXk="],
            Headers = [new("Authorization", "Bearer s3cr3t", FromSecret: true)],
            ClientKeyPem = "-----BEGIN PRIVATE KEY-----",
        };

        var text = route.ToString();

        Assert.Contains(route.Uid.ToString(), text, StringComparison.Ordinal);
        Assert.Contains("webhook-test", text, StringComparison.Ordinal);
        foreach (var secret in new[] { "T0KEN", "c2lnbmluZy1rZXk", "s3cr3t", "PRIVATE KEY" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LoadAll_WithADifferentKey_FailsInsteadOfReturningGarbage()
    {
        await _routes.UpsertAsync(Samples.Route(new Uri("http://127.0.0.1:9/hook")), CancellationToken.None);
        var otherKey = new RouteRepository(_dataSource, Standalone.Cipher(Webhooks.Storage.Security.SecretCipher.GenerateKey()), TimeProvider.System);

        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => otherKey.LoadAllAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Delete_RecordsPendingDeliveriesAsFailedAndBumpsRevision()
    {
        var route = Samples.Route(new Uri("http://127.0.0.1:9/hook"));
        await _routes.UpsertAsync(route, CancellationToken.None);
        await Database.ScalarAsync<object>(_connectionString, """
            with e as (insert into auditlog.events (event_id, organization_id, occurred_at, data_category, data_name, data_date, description,
                actor_ip, actor_user_agent, actor_username, source, received_at, fanned_out_at)
                values ('evt_x', 'o', 'now', 'user', 'login', 'now', '', '', '', '', 'sql', now(), now()) returning id)
            insert into auditlog.deliveries (event_pk, route_uid, next_attempt_at, created_at, updated_at)
            select id, $1, now() + interval '1 hour', now(), now() from e returning 1
            """, route.Uid);
        var revision = await _routes.GetRevisionAsync(CancellationToken.None);

        Assert.True(await _routes.DeleteAsync(route.Uid, CancellationToken.None));
        Assert.False(await _routes.DeleteAsync(route.Uid, CancellationToken.None));

        Assert.Equal(revision + 1, await _routes.GetRevisionAsync(CancellationToken.None));
        Assert.Equal("route deleted", await Database.ScalarAsync<string>(_connectionString, "select last_error from auditlog.deliveries where state = 'failed'"));
    }
}

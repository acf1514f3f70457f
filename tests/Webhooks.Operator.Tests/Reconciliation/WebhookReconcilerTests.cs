using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Files;
using Webhooks.Operator.Reconciliation;
using Webhooks.Operator.Status;
using Webhooks.Operator.Tests.Support;
using Webhooks.Storage.Database;
using Webhooks.Storage.Deliveries;
using Webhooks.Storage.Routes;
using Webhooks.Storage.Security;
using Webhooks.TestSupport.Postgres;

namespace Webhooks.Operator.Tests.Reconciliation;

/// <summary>The reconciler over the file-mode store (no API server involved) and a real PostgreSQL.</summary>
public sealed class WebhookReconcilerTests : IAsyncLifetime
{
    private static readonly ObjectKey Key = new("default", "siem");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private NpgsqlDataSource _dataSource = null!;
    private ManifestStore _store = null!;
    private RecordingAccess _access = null!;
    private RouteRepository _routes = null!;
    private DeliveryStatusCache _deliveries = null!;
    private WebhookReconciler _reconciler = null!;
    private OperatorOptions _options = new();

    public async Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await (await PostgresCluster.Shared).CreateDatabaseAsync());
        await new MigrationRunner(_dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
        var cipher = new SecretCipher(Options.Create(new EncryptionOptions { Keys = { ["k"] = SecretCipher.GenerateKey() }, ActiveKeyId = "k" }));
        _routes = new RouteRepository(_dataSource, cipher, _time);
        _store = new ManifestStore(_time, NullLogger<ManifestStore>.Instance);
        _access = new RecordingAccess(_store);
        _deliveries = new DeliveryStatusCache();
        _reconciler = new WebhookReconciler(_access, _routes, _deliveries, Options.Create(_options), _time, NullLogger<WebhookReconciler>.Instance);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task Reconcile_ValidWebhook_WritesRouteAndReadyStatus()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer s3cr3t\n")]);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var webhook = _store.GetWebhook("default", "siem")!;
        Assert.Contains(WebhookReconciler.Finalizer, webhook.Metadata.Finalizers!);
        Assert.Equal(webhook.Metadata.Generation, webhook.Status!.ObservedGeneration);
        var ready = Conditions.Find(webhook.Status.Conditions, Conditions.Ready)!;
        Assert.Equal(("True", Conditions.Reasons.RouteActive), (ready.Status, ready.Reason));
        Assert.Contains("siem.example.com", ready.Message, StringComparison.Ordinal);
        Assert.Equal("True", Conditions.Find(webhook.Status.Conditions, Conditions.SecretsResolved)!.Status);
        Assert.Equal("Unknown", Conditions.Find(webhook.Status.Conditions, Conditions.Delivering)!.Status);
        Assert.Equal("https://siem.example.com/hook", webhook.Status.Url);

        var route = Assert.Single((await _routes.LoadAllAsync(CancellationToken.None)).Routes).Definition;
        Assert.Equal(Guid.Parse(webhook.Metadata.Uid), route.Uid);
        Assert.Equal([new RouteHeader("Test", "Webhook"), new RouteHeader("Authorization", "Bearer s3cr3t", FromSecret: true)], route.Headers);
        Assert.Equal(["user"], route.FilterCategories);
        Assert.True(route.Secure);
        Assert.StartsWith("whsec_", Assert.Single(route.SigningKeys), StringComparison.Ordinal);
        Assert.Equal("siem-signing", webhook.Status.SigningSecretName);
        Assert.Contains(_access.Events, e => e.Reason == "RouteUpdated");
        Assert.Contains(_access.Events, e => e.Reason == "SigningSecretCreated");
        Assert.DoesNotContain(_access.Events, e => e.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reconcile_Unchanged_WritesNoStatusAndNoEvent()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer x")]);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        var (writes, events, revision) = (_access.StatusWrites, _access.Events.Count, await _routes.GetRevisionAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(5));

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(writes, _access.StatusWrites);
        Assert.Equal(events, _access.Events.Count);
        Assert.Equal(revision, await _routes.GetRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task FirstDeliveryFigures_OfANewWebhook_CauseNoStatusWrite()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer x")]);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        var writes = _access.StatusWrites;
        var uid = Guid.Parse(_store.GetWebhook("default", "siem")!.Metadata.Uid);

        _deliveries.TryPublish("default", "siem", DeliveryStatusReporter.Observe(new RouteDeliveryStats(uid, "default", "siem", null, 0, 0, 0, 0, null, null)), _time.GetUtcNow(), TimeSpan.Zero);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(writes, _access.StatusWrites);
    }

    [Fact]
    public async Task Reconcile_MissingSecret_IsNotReadyWithSecretNotFound_AndRecoversWhenCreated()
    {
        _store.Apply([Manifests.Webhook()], []);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var status = _store.GetWebhook("default", "siem")!.Status!;
        var ready = Conditions.Find(status.Conditions, Conditions.Ready)!;
        Assert.Equal(("False", Conditions.Reasons.SecretNotFound), (ready.Status, ready.Reason));
        Assert.Contains("Secret default/siem-token not found", ready.Message, StringComparison.Ordinal);
        Assert.Equal(Conditions.Reasons.SecretNotFound, Conditions.Find(status.Conditions, Conditions.SecretsResolved)!.Reason);
        Assert.Contains(_access.Events, e => e is { Type: "Warning", Reason: "SecretNotFound" });
        Assert.Empty((await _routes.LoadAllAsync(CancellationToken.None)).Routes);

        var requeued = _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer x")]);
        Assert.Contains(Key, requeued);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal("True", Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Ready)!.Status);
        Assert.Single((await _routes.LoadAllAsync(CancellationToken.None)).Routes);
    }

    [Fact]
    public async Task Reconcile_MissingSecretKey_NamesTheKeysThatExist()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "token", "x")]);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var ready = Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Ready)!;
        Assert.Equal(Conditions.Reasons.SecretKeyNotFound, ready.Reason);
        Assert.Contains("has no key \"header\" (keys: token)", ready.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_RotatedSecret_UpdatesTheRoute()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer old")]);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var requeued = _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer new")]);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal([Key], requeued);
        var route = Assert.Single((await _routes.LoadAllAsync(CancellationToken.None)).Routes).Definition;
        Assert.Equal("Bearer new", route.Headers.Single(h => h.Name == "Authorization").Value);
    }

    [Fact]
    public async Task Reconcile_SecretValueWithLineBreak_IsInvalid()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer a\r\nX-Injected: 1")]);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var ready = Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Ready)!;
        Assert.Equal(Conditions.Reasons.InvalidSpec, ready.Reason);
        Assert.DoesNotContain("X-Injected", ready.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_RemovedWebhook_DeletesRouteThenReleasesFinalizer()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer x")]);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        _store.Apply([], []);
        Assert.NotNull(_store.GetWebhook("default", "siem")!.Metadata.DeletionTimestamp);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Null(_store.GetWebhook("default", "siem"));
        Assert.Empty((await _routes.LoadAllAsync(CancellationToken.None)).Routes);
    }

    [Fact]
    public async Task Reconcile_InsecureHttpWebhook_IsReadyWithAWarning()
    {
        var webhook = Manifests.Webhook(url: "http://127.0.0.1:9090/hook");
        webhook.Spec.SecureMode = new() { Enabled = false };
        webhook.Spec.Headers = null;
        _store.Apply([webhook], []);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var ready = Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Ready)!;
        Assert.Equal("True", ready.Status);
        Assert.Contains("insecure mode", ready.Message, StringComparison.Ordinal);
        Assert.Contains(_access.Events, e => e is { Type: "Warning", Reason: "InsecureMode" });
        Assert.Null(_store.GetWebhook("default", "siem")!.Status!.SigningSecretName);
    }

    [Fact]
    public async Task DeliveryOutcomes_SetLastDeliveryAndDelivering_WithEventsOnTransitions()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer x")]);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        var uid = Guid.Parse(_store.GetWebhook("default", "siem")!.Metadata.Uid);
        var failing = new RouteDeliveryStats(uid, "default", "siem", null, 3, 1, 2, 1, _time.GetUtcNow(),
            new LatestAttempt("evt_1", _time.GetUtcNow(), AttemptOutcome.Retrying, 503, 40, 2, "http_status", "HTTP 503 Service Unavailable"));

        Assert.True(_deliveries.TryPublish("default", "siem", DeliveryStatusReporter.Observe(failing), _time.GetUtcNow(), TimeSpan.FromSeconds(30)));
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var status = _store.GetWebhook("default", "siem")!.Status!;
        Assert.Equal(("evt_1", "Retrying", 503, 2), (status.LastDelivery!.EventId, status.LastDelivery.Result, status.LastDelivery.HttpStatus, status.LastDelivery.Attempts));
        Assert.Equal((3L, 1L, 2L), (status.Deliveries!.Succeeded24h!.Value, status.Deliveries.Failed24h!.Value, status.Deliveries.Pending!.Value));
        var delivering = Conditions.Find(status.Conditions, Conditions.Delivering)!;
        Assert.Equal(("False", Conditions.Reasons.DeliveryFailing), (delivering.Status, delivering.Reason));
        Assert.Contains("HTTP 503", delivering.Message, StringComparison.Ordinal);
        Assert.Contains(_access.Events, e => e is { Type: "Warning", Reason: "DeliveryFailing" });

        var recovered = failing with { Latest = failing.Latest! with { EventId = "evt_2", Outcome = AttemptOutcome.Succeeded, HttpStatus = 200 } };
        Assert.False(_deliveries.TryPublish("default", "siem", DeliveryStatusReporter.Observe(recovered), _time.GetUtcNow().AddSeconds(10), TimeSpan.FromSeconds(30)));
        Assert.True(_deliveries.TryPublish("default", "siem", DeliveryStatusReporter.Observe(recovered), _time.GetUtcNow().AddSeconds(31), TimeSpan.FromSeconds(30)));
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal("True", Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Delivering)!.Status);
        Assert.Contains(_access.Events, e => e is { Type: "Normal", Reason: "DeliveryRecovered" });
    }

    [Theory]
    [InlineData(null, "may receive audit records of organizations [org-a, org-b] only")]
    [InlineData("org-c", "organization org-c is not allowed in namespace default")]
    public async Task Tenancy_WebhookAskingForMoreThanItsNamespaceMay_IsNotReady(string? organization, string message)
    {
        _options.AllowedOrganizations["default"] = ["org-a", "org-b"];
        var webhook = Manifests.Webhook();
        webhook.Spec.Filter = new() { Organizations = organization is null ? null : ["org-a", organization] };
        _store.Apply([webhook], [Manifests.Secret("siem-token", "header", "Bearer x")]);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var ready = Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Ready)!;
        Assert.Equal(("False", Conditions.Reasons.OrganizationNotAllowed), (ready.Status, ready.Reason));
        Assert.Contains(message, ready.Message, StringComparison.Ordinal);
        Assert.Empty((await _routes.LoadAllAsync(CancellationToken.None)).Routes);
    }

    [Fact]
    public async Task Tenancy_WebhookWithinItsOrganizations_IsReady()
    {
        _options.AllowedOrganizations["*"] = ["org-a"];
        var webhook = Manifests.Webhook();
        webhook.Spec.Filter = new() { Organizations = ["org-a"] };
        _store.Apply([webhook], [Manifests.Secret("siem-token", "header", "Bearer x")]);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal(["org-a"], Assert.Single((await _routes.LoadAllAsync(CancellationToken.None)).Routes).Definition.FilterOrganizations);
    }

    [Fact]
    public async Task Reconcile_RouteDisabledByGone_IsNotReadyWithEndpointDisabledAndAnEvent()
    {
        _store.Apply([Manifests.Webhook()], [Manifests.Secret("siem-token", "header", "Bearer x")]);
        await _reconciler.ReconcileAsync(Key, CancellationToken.None);
        await using (var command = _dataSource.CreateCommand("update auditlog.routes set disabled_at = now(), disabled_reason = 'the endpoint answered 410 Gone'"))
        {
            await command.ExecuteNonQueryAsync();
        }

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var ready = Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Ready)!;
        Assert.Equal(("False", Conditions.Reasons.EndpointDisabled), (ready.Status, ready.Reason));
        Assert.Contains("410 Gone", ready.Message, StringComparison.Ordinal);
        Assert.Contains(_access.Events, e => e is { Type: "Warning", Reason: "EndpointDisabled" });
    }

    [Fact]
    public async Task SigningSecretRotation_SignsWithBothKeysDuringTheOverlap_ThenOnlyTheNewOne()
    {
        const string oldKey = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        const string newKey = "whsec_OtherKeyOtherKeyOtherKeyOtherKey0";
        var webhook = Manifests.Webhook();
        webhook.Spec.SecureMode = new() { Enabled = true, SigningSecretRef = new() { Name = "siem-signing", Key = "secret" } };
        var token = Manifests.Secret("siem-token", "header", "Bearer x");
        _store.Apply([webhook], [token, Manifests.Secret("siem-signing", "secret", oldKey)]);
        Assert.Null(await _reconciler.ReconcileAsync(Key, CancellationToken.None));

        _store.Apply([webhook], [token, Manifests.Secret("siem-signing", "secret", newKey + "\n")]);
        var requeueAfter = await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        Assert.Equal([newKey, oldKey], (await _routes.LoadAllAsync(CancellationToken.None)).Routes.Single().Definition.SigningKeys);
        Assert.Equal(_options.SigningKeyOverlap, requeueAfter);

        _time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(TimeSpan.FromHours(12), await _reconciler.ReconcileAsync(Key, CancellationToken.None));
        Assert.Equal(2, (await _routes.LoadAllAsync(CancellationToken.None)).Routes.Single().Definition.SigningKeys.Count);

        _time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(1));
        Assert.Null(await _reconciler.ReconcileAsync(Key, CancellationToken.None));
        Assert.Equal([newKey], (await _routes.LoadAllAsync(CancellationToken.None)).Routes.Single().Definition.SigningKeys);
    }

    [Fact]
    public async Task TlsSecrets_FillTheRoutesCaAndClientCertificate()
    {
        var webhook = Manifests.Webhook();
        webhook.Spec.Tls = new() { CaSecretRef = new() { Name = "siem-ca", Key = "" }, ClientCertSecretRef = new() { Name = "siem-client" } };
        var client = Manifests.Secret("siem-client", "tls.crt", "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n");
        client.Data!["tls.key"] = System.Text.Encoding.UTF8.GetBytes("-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n");
        _store.Apply([webhook], [Manifests.Secret("siem-token", "header", "Bearer x"), Manifests.Secret("siem-ca", "ca.crt", "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"), client]);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var route = Assert.Single((await _routes.LoadAllAsync(CancellationToken.None)).Routes).Definition;
        Assert.Contains("\nCA\n", route.CaCertificatesPem, StringComparison.Ordinal);
        Assert.Contains("\nCLIENT\n", route.ClientCertificatePem, StringComparison.Ordinal);
        Assert.Contains("\nKEY\n", route.ClientKeyPem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsClientSecretWithoutKey_IsNotReadyNamingTheMissingKey()
    {
        var webhook = Manifests.Webhook();
        webhook.Spec.Tls = new() { ClientCertSecretRef = new() { Name = "siem-client" } };
        _store.Apply([webhook], [Manifests.Secret("siem-token", "header", "Bearer x"), Manifests.Secret("siem-client", "tls.crt", "PEM")]);

        await _reconciler.ReconcileAsync(Key, CancellationToken.None);

        var ready = Conditions.Find(_store.GetWebhook("default", "siem")!.Status!.Conditions, Conditions.Ready)!;
        Assert.Equal(Conditions.Reasons.SecretKeyNotFound, ready.Reason);
        Assert.Contains("no key \"tls.key\"", ready.Message, StringComparison.Ordinal);
    }
}

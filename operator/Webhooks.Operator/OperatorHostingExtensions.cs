using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Prometheus;
using Webhooks.Operator.Cluster;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Controller.Informers;
using Webhooks.Operator.Controller.Leadership;
using Webhooks.Operator.Events;
using Webhooks.Operator.Files;
using Webhooks.Operator.Reconciliation;
using Webhooks.Operator.Resources;
using Webhooks.Operator.Status;
using Webhooks.Storage;
using Webhooks.Storage.Database;

namespace Webhooks.Operator;

public static class OperatorHostingExtensions
{
    /// <summary>
    /// Registers the operator: storage, options (validated on start), the reconciler, and the
    /// controller fed either by the Kubernetes API (with leader election) or by a manifests directory.
    /// </summary>
    public static IHostApplicationBuilder AddOperator(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration.GetSection(OperatorOptions.SectionName);
        services.AddWebhooksStorage(builder.Configuration);
        services.AddOptions<OperatorOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ControllerOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OperatorMetrics>();
        services.AddSingleton<DeliveryStatusCache>();
        services.AddSingleton<DeliveryStatusReporter>();
        services.AddSingleton<WebhookReconciler>();
        services.AddHostedService<MigrationHostedService>();

        var fileMode = configuration.Get<OperatorOptions>()?.FileMode ?? false;
        if (fileMode)
        {
            services.AddSingleton<ManifestStore>();
            services.AddSingleton<IResourceAccess>(sp => sp.GetRequiredService<ManifestStore>());
            services.AddSingleton<ManifestWatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<ManifestWatcher>());
            services.AddSingleton(sp => CreateController(sp, sp.GetRequiredService<ManifestStore>(), sp.GetRequiredService<ManifestStore>()));
            services.AddSingleton(sp => new ControllerHost(sp.GetRequiredService<WebhookController>(), reporter: sp.GetRequiredService<DeliveryStatusReporter>()));
        }
        else
        {
            services.AddSingleton<IKubernetes>(sp => new Kubernetes(ClientConfiguration(sp.GetRequiredService<IOptions<OperatorOptions>>().Value)));
            services.AddSingleton(sp => CreateController(sp, ListWatch.ForWebhooks(sp.GetRequiredService<IKubernetes>()), ListWatch.ForSecrets(sp.GetRequiredService<IKubernetes>())));
            services.AddSingleton(sp => new KubernetesEventRecorder(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<TimeProvider>(), Identity(sp)));
            services.AddSingleton<IResourceAccess>(sp =>
            {
                var controller = sp.GetRequiredService<WebhookController>();
                return new KubernetesResourceAccess(
                    sp.GetRequiredService<IKubernetes>(),
                    (ns, name) => controller.Webhooks.TryGet(new ObjectKey(ns, name), out var webhook) ? webhook : null,
                    (ns, name) => controller.Secrets.TryGet(new ObjectKey(ns, name), out var secret) ? secret : null,
                    sp.GetRequiredService<KubernetesEventRecorder>(),
                    sp.GetRequiredService<ILogger<KubernetesResourceAccess>>());
            });
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<ControllerOptions>>().Value;
                var election = options.LeaderElection;
                election.Identity ??= Identity(sp);
                var runner = election.Enabled
                    ? new LeaderElectionRunner(election.CreateLock(sp.GetRequiredService<IKubernetes>()), election, sp.GetRequiredService<OperatorMetrics>(),
                        sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LeaderElectionRunner>>())
                    : null;
                return new ControllerHost(sp.GetRequiredService<WebhookController>(), runner, sp.GetRequiredService<DeliveryStatusReporter>());
            });
        }

        services.AddHostedService(sp => sp.GetRequiredService<ControllerHost>());
        return builder;
    }

    /// <summary><c>/healthz</c>: the process runs. <c>/readyz</c>: the leader's caches are complete (a standby is ready at once). <c>/metrics</c>.</summary>
    public static WebApplication MapOperator(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (ControllerHost host) => host.IsReady
            ? Results.Text(host.IsLeader ? "ok: leader, caches synced" : "ok: standby")
            : Results.Text("initial list not complete", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapMetrics();
        return app;
    }

    private static WebhookController CreateController(IServiceProvider sp, IListWatch<V1Alpha1Webhook> webhookSource, IListWatch<V1Secret> secretSource)
    {
        var options = sp.GetRequiredService<IOptions<ControllerOptions>>().Value;
        var time = sp.GetRequiredService<TimeProvider>();
        var informerOptions = new InformerOptions { Namespaces = options.Namespaces };
        var webhooks = new Informer<V1Alpha1Webhook>(webhookSource, informerOptions, time, sp.GetRequiredService<ILogger<Informer<V1Alpha1Webhook>>>());
        var secrets = new Informer<V1Secret>(secretSource, informerOptions, time, sp.GetRequiredService<ILogger<Informer<V1Secret>>>());
        return new WebhookController(
            webhooks,
            secrets,
            secret => webhooks.List(secret.Metadata.NamespaceProperty)
                .Where(w => RouteResolver.ReferencedSecrets(w).Contains(secret.Metadata.Name))
                .Select(ObjectKey.From),
            new LazyReconciler(sp),
            options,
            sp.GetRequiredService<OperatorMetrics>(),
            time,
            sp.GetRequiredService<ILogger<WebhookController>>());
    }

    private static KubernetesClientConfiguration ClientConfiguration(OperatorOptions options) =>
        options.Kubeconfig is { Length: > 0 } path ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
        : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
        : KubernetesClientConfiguration.BuildConfigFromConfigFile();

    private static string Identity(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<OperatorOptions>>().Value.Identity ?? Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;

    /// <summary>
    /// The reconciler reads through <see cref="IResourceAccess"/>, which in a cluster reads the
    /// controller's caches: resolving it when the first key arrives breaks that construction cycle.
    /// </summary>
    private sealed class LazyReconciler(IServiceProvider services) : IReconciler
    {
        public Task<TimeSpan?> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken) =>
            services.GetRequiredService<WebhookReconciler>().ReconcileAsync(key, cancellationToken);
    }
}

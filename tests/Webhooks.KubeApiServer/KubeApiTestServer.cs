using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.KubeApiServer.Api;
using Webhooks.KubeApiServer.Errors;
using Webhooks.KubeApiServer.Http;
using Webhooks.KubeApiServer.Kubeconfig;
using Webhooks.KubeApiServer.Printing;
using Webhooks.KubeApiServer.Resources;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.KubeApiServer.Storage;
using Webhooks.KubeApiServer.Validation;
using Webhooks.KubeApiServer.Watch;

namespace Webhooks.KubeApiServer;

/// <summary>
/// An in-process Kubernetes API server for tests: plain HTTP on 127.0.0.1, no authentication, in-memory
/// storage. kubectl and Kubernetes clients talk to it as to a real cluster.
/// </summary>
/// <example>
/// <code>
/// await using var server = await KubeApiTestServer.StartAsync(new() { CustomResourceDefinitionFiles = ["config/crds/auditlog.dev_webhooks.yaml"] });
/// var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Host });
/// server.WriteKubeconfig(kubeconfigPath); // for kubectl --kubeconfig
/// </code>
/// </example>
public sealed class KubeApiTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly ResourceRegistry _registry;
    private readonly ObjectOperations _operations;

    private KubeApiTestServer(WebApplication app, ObjectStore store, ResourceRegistry registry, ObjectOperations operations, Uri baseAddress)
    {
        _app = app;
        _store = store;
        _registry = registry;
        _operations = operations;
        BaseAddress = baseAddress;
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server URL without trailing slash: what <c>KubernetesClientConfiguration.Host</c> and kubeconfig <c>server</c> expect.</summary>
    public string Host => BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>The current global resourceVersion (the revision of the last write).</summary>
    public long CurrentResourceVersion => _store.Revision;

    /// <summary>How many watch streams are open; tests can wait for a watch to be established.</summary>
    public int ActiveWatchCount => _store.WatchCount;

    public static async Task<KubeApiTestServer> StartAsync(KubeApiTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiTestServerOptions();
        var time = options.TimeProvider;
        var store = new ObjectStore(new WatchHub(options.WatchHistoryLimit));
        var registry = new ResourceRegistry(BuiltInResources.Create());
        var operations = new ObjectOperations(store, registry, time, new CelRuleEvaluator());
        var tables = new TableConverter(time);
        var handler = new ApiRequestHandler(registry, new ResourceEndpoints(operations, store, tables, new WatchStreamer(store, tables, time, options.BookmarkInterval)));

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var server = new KubeApiTestServer(app, store, registry, operations, new Uri(address.EndsWith('/') ? address : address + "/"));
        foreach (var ns in options.Namespaces)
        {
            server.CreateNamespace(ns);
        }

        foreach (var file in options.CustomResourceDefinitionFiles)
        {
            server.LoadCustomResourceDefinitionFile(file);
        }

        return server;
    }

    /// <summary>Writes a kubeconfig pointing at this server (plain HTTP, no credentials) and returns its path.</summary>
    public string WriteKubeconfig(string path, string defaultNamespace = "default")
    {
        File.WriteAllText(path, KubeconfigWriter.Render(BaseAddress, defaultNamespace));
        return path;
    }

    /// <summary>Creates or replaces the CRDs in a YAML file, as <c>kubectl apply -f</c> would; returns their names.</summary>
    public IReadOnlyList<string> LoadCustomResourceDefinitionFile(string path) => LoadCustomResourceDefinitions(File.ReadAllText(path));

    /// <summary>Creates or replaces the CRDs in YAML text (several documents allowed); returns their names.</summary>
    public IReadOnlyList<string> LoadCustomResourceDefinitions(string yaml)
    {
        var crdResource = _registry.Single(BuiltInResources.CustomResourceDefinitionsKey);
        var names = new List<string>();
        foreach (var document in YamlJsonConverter.ParseDocuments(yaml).OfType<JsonObject>())
        {
            if (Json.GetString(document, "kind") != crdResource.Kind)
            {
                continue;
            }

            var name = Json.GetString(document, "metadata", "name") ?? throw new FormatException("CRD without metadata.name");
            lock (_store.Gate)
            {
                if (_store.Get(crdResource.StorageKey, null, name) is { } existing)
                {
                    Json.Metadata(document)["resourceVersion"] = Json.GetString(existing, "metadata", "resourceVersion");
                    _operations.Update(crdResource, null, name, document, statusOnly: false, new WriteOptions());
                }
                else
                {
                    _operations.Create(crdResource, null, document, new WriteOptions());
                }
            }

            names.Add(name);
        }

        return names;
    }

    /// <summary>Creates a namespace unless it exists.</summary>
    public void CreateNamespace(string name)
    {
        var resource = _registry.Single(BuiltInResources.NamespacesKey);
        try
        {
            _operations.Create(resource, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, new WriteOptions());
        }
        catch (ApiException error) when (error.Code == 409)
        {
            // Already there, which is all the caller asked for.
        }
    }

    /// <summary>Forgets the watch history, so a watch from any earlier resourceVersion gets 410 Gone (reason Expired).</summary>
    public void ForceCompaction() => _store.Compact();

    /// <summary>Ends every open watch stream, as an API server restart or a load balancer timeout would.</summary>
    public void DropWatches() => _store.CloseWatches();

    public async ValueTask DisposeAsync()
    {
        _store.CloseWatches();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

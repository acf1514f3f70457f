using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Webhooks.KubeApiServer.Discovery;
using Webhooks.KubeApiServer.Errors;
using Webhooks.KubeApiServer.Resources;

namespace Webhooks.KubeApiServer.Http;

/// <summary>
/// The single request entry point: routes discovery, version and health paths, hands resource URLs to
/// <see cref="ResourceEndpoints"/>, and turns failures into <c>Status</c> answers.
/// </summary>
internal sealed class ApiRequestHandler(ResourceRegistry registry, ResourceEndpoints endpoints)
{
    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (ApiException error) when (!context.Response.HasStarted)
        {
            await HttpExchange.WriteStatusAsync(context, error);
        }
        catch (Exception exception) when (!context.Response.HasStarted && exception is not OperationCanceledException)
        {
            await HttpExchange.WriteStatusAsync(context, StatusErrors.Internal(exception.Message));
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var segments = (context.Request.Path.Value ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var isGet = context.Request.Method == "GET";
        switch (segments)
        {
            case [] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version") });
                return;
            case ["version"] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, DiscoveryDocuments.Version());
                return;
            case ["healthz" or "livez" or "readyz", ..] when isGet:
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok", Encoding.UTF8, context.RequestAborted);
                return;
            case ["openapi", "v3"] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, OpenApiDocuments.Index(registry));
                return;
            case ["openapi", "v3", "api", var version] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, OpenApiDocuments.GroupVersion(registry, string.Empty, version) ?? throw StatusErrors.PathNotFound());
                return;
            case ["openapi", "v3", "apis", var group, var version] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, OpenApiDocuments.GroupVersion(registry, group, version) ?? throw StatusErrors.PathNotFound());
                return;
            case ["api"] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, DiscoveryDocuments.ApiVersions($"{context.Request.Host}"));
                return;
            case ["apis"] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, DiscoveryDocuments.GroupList(registry));
                return;
            case ["apis", var group] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, DiscoveryDocuments.Group(registry, group) ?? throw StatusErrors.PathNotFound());
                return;
            case ["api", var version] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, DiscoveryDocuments.ResourceList(registry, string.Empty, version) ?? throw StatusErrors.PathNotFound());
                return;
            case ["apis", var group, var version] when isGet:
                await HttpExchange.WriteJsonAsync(context, 200, DiscoveryDocuments.ResourceList(registry, group, version) ?? throw StatusErrors.PathNotFound());
                return;
            case ["api", var version, .. var rest] when rest.Length > 0:
                await endpoints.HandleAsync(context, ResourceTarget.Parse(registry, string.Empty, version, rest) ?? throw StatusErrors.PathNotFound());
                return;
            case ["apis", var group, var version, .. var rest] when rest.Length > 0:
                await endpoints.HandleAsync(context, ResourceTarget.Parse(registry, group, version, rest) ?? throw StatusErrors.PathNotFound());
                return;
            default:
                throw StatusErrors.PathNotFound();
        }
    }
}

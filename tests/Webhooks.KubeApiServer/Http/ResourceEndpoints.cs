using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Webhooks.KubeApiServer.Api;
using Webhooks.KubeApiServer.Errors;
using Webhooks.KubeApiServer.Patching;
using Webhooks.KubeApiServer.Printing;
using Webhooks.KubeApiServer.Selection;
using Webhooks.KubeApiServer.Storage;

namespace Webhooks.KubeApiServer.Http;

/// <summary>Maps the verbs on resource URLs to registry operations and shapes their answers.</summary>
internal sealed class ResourceEndpoints(ObjectOperations operations, ObjectStore store, TableConverter tables, WatchStreamer watches)
{
    public async Task HandleAsync(HttpContext context, ResourceTarget target)
    {
        var method = context.Request.Method;
        var resource = target.Resource;
        var statusOnly = target.Subresource == "status";
        var options = new WriteOptions
        {
            DryRun = HttpExchange.Query(context, "dryRun") == "All",
            FieldValidation = HttpExchange.Query(context, "fieldValidation") ?? "Warn",
        };
        switch (method)
        {
            case "GET" when target.Name is not null:
                var obj = operations.Get(resource, target.Namespace, target.Name);
                await WriteObjectAsync(context, target, obj, 200, null);
                break;
            case "GET" when HttpExchange.QueryFlag(context, "watch"):
                await WatchAsync(context, target);
                break;
            case "GET":
                await ListAsync(context, target);
                break;
            case "POST" when target.Name is null && (target.Namespace is not null || !resource.Namespaced):
                var created = operations.Create(resource, target.Namespace, (await HttpExchange.ReadObjectAsync(context))!, options);
                await WriteObjectAsync(context, target, created, 201, options);
                break;
            case "PUT" when target.Name is not null:
                var (updated, wasCreated) = operations.Update(resource, target.Namespace, target.Name, (await HttpExchange.ReadObjectAsync(context))!, statusOnly, options);
                await WriteObjectAsync(context, target, updated, wasCreated ? 201 : 200, options);
                break;
            case "PATCH" when target.Name is not null:
                var patchType = MediaTypes.Essence(context.Request.ContentType);
                if (patchType is not (PatchTypes.Json or PatchTypes.Merge or PatchTypes.Strategic or PatchTypes.Apply))
                {
                    throw StatusErrors.UnsupportedMediaType(patchType);
                }

                var body = await HttpExchange.ReadBodyAsync(context);
                var (patched, patchCreated) = operations.Patch(resource, target.Namespace, target.Name, patchType, body, statusOnly, options);
                await WriteObjectAsync(context, target, patched, patchCreated ? 201 : 200, options);
                break;
            case "DELETE" when target.Name is not null && !statusOnly:
                var deleteOptions = await HttpExchange.ReadObjectAsync(context, optional: true);
                var (code, deleted) = operations.Delete(resource, target.Namespace, target.Name, deleteOptions, options);
                await WriteObjectAsync(context, target, deleted, code, options);
                break;
            case "DELETE" when target.Name is null:
                var (labels, fields) = Selectors(context);
                var list = operations.DeleteCollection(resource, target.Namespace, labels, fields, options);
                await HttpExchange.WriteJsonAsync(context, 200, list);
                break;
            default:
                throw StatusErrors.MethodNotSupported(resource, method);
        }
    }

    private async Task ListAsync(HttpContext context, ResourceTarget target)
    {
        var resource = target.Resource;
        var (labels, fields) = Selectors(context);
        var page = operations.List(resource, target.Namespace, labels, fields, HttpExchange.QueryInt(context, "limit"), HttpExchange.Query(context, "continue"));
        var metadata = new JsonObject { ["resourceVersion"] = ObjectStore.Format(page.Revision) };
        if (page.Continue is not null)
        {
            metadata["continue"] = page.Continue;
            metadata["remainingItemCount"] = page.RemainingItemCount;
        }

        if (MediaTypes.WantsTable(context.Request.Headers.Accept))
        {
            var include = MediaTypes.ParseIncludeObject(HttpExchange.Query(context, "includeObject"));
            await HttpExchange.WriteJsonAsync(context, 200, tables.Convert(resource, page.Items, metadata, include));
            return;
        }

        await HttpExchange.WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = resource.ListKind,
            ["apiVersion"] = resource.GroupVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray(page.Items.Select(i => (JsonNode)i).ToArray()),
        });
    }

    private async Task WatchAsync(HttpContext context, ResourceTarget target)
    {
        var resource = target.Resource;
        var (labels, fields) = Selectors(context);
        var name = target.Name;
        var subscription = store.Watch(
            resource.StorageKey,
            target.Namespace,
            obj => ObjectOperations.Matches(resource, obj, labels, fields)
                && (target.Namespace is null || obj["metadata"]?["namespace"]?.GetValue<string>() == target.Namespace)
                && (name is null || obj["metadata"]?["name"]?.GetValue<string>() == name),
            HttpExchange.Query(context, "resourceVersion"));
        var timeout = HttpExchange.QueryInt(context, "timeoutSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var options = new WatchStreamOptions(
            HttpExchange.QueryFlag(context, "allowWatchBookmarks"),
            timeout,
            MediaTypes.WantsTable(context.Request.Headers.Accept),
            MediaTypes.ParseIncludeObject(HttpExchange.Query(context, "includeObject")));
        await watches.StreamAsync(context, resource, subscription, options);
    }

    private async Task WriteObjectAsync(HttpContext context, ResourceTarget target, JsonObject obj, int statusCode, WriteOptions? options)
    {
        foreach (var warning in options?.Warnings ?? [])
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        var isStatus = obj["kind"]?.GetValue<string>() == "Status";
        if (!isStatus && MediaTypes.WantsTable(context.Request.Headers.Accept))
        {
            var include = MediaTypes.ParseIncludeObject(HttpExchange.Query(context, "includeObject"));
            var metadata = new JsonObject { ["resourceVersion"] = obj["metadata"]?["resourceVersion"]?.DeepClone() };
            await HttpExchange.WriteJsonAsync(context, statusCode, tables.Convert(target.Resource, [obj], metadata, include));
            return;
        }

        await HttpExchange.WriteJsonAsync(context, statusCode, obj);
    }

    private static (LabelSelector Labels, FieldSelector Fields) Selectors(HttpContext context)
    {
        try
        {
            return (LabelSelector.Parse(HttpExchange.Query(context, "labelSelector")), FieldSelector.Parse(HttpExchange.Query(context, "fieldSelector")));
        }
        catch (FormatException exception)
        {
            throw StatusErrors.BadRequest($"unable to parse requirement: {exception.Message}");
        }
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Webhooks.KubeApiServer.Printing;
using Webhooks.KubeApiServer.Resources;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.KubeApiServer.Storage;
using Webhooks.KubeApiServer.Watch;

namespace Webhooks.KubeApiServer.Http;

/// <summary>
/// Streams a watch as newline-delimited <c>{"type":..,"object":..}</c> frames over a chunked response,
/// flushing each frame, with periodic bookmarks and the <c>timeoutSeconds</c> deadline.
/// </summary>
internal sealed class WatchStreamer(ObjectStore store, TableConverter tables, TimeProvider timeProvider, TimeSpan bookmarkInterval)
{
    public async Task StreamAsync(HttpContext context, ResourceDefinition resource, WatchSubscription subscription, WatchStreamOptions options)
    {
        using var deadline = options.Timeout is { } timeout
            ? new CancellationTokenSource(timeout, timeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
        var token = linked.Token;
        Task bookmarks = Task.CompletedTask;
        try
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = MediaTypes.Json;
            await context.Response.StartAsync(token);
            await context.Response.Body.FlushAsync(token);
            if (options.Bookmarks)
            {
                bookmarks = SendBookmarksAsync(subscription, token);
            }

            await foreach (var change in subscription.Events.ReadAllAsync(token))
            {
                var frame = new JsonObject { ["type"] = change.Type, ["object"] = Render(resource, change, options) };
                await context.Response.WriteAsync(frame.ToJsonString(Json.Compact) + "\n", Encoding.UTF8, token);
                await context.Response.Body.FlushAsync(token);
            }
        }
        catch (OperationCanceledException)
        {
            // The deadline or the client ended the watch; closing the stream is the whole answer.
        }
        finally
        {
            store.Unwatch(subscription);
            await linked.CancelAsync();
            await bookmarks.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private JsonNode Render(ResourceDefinition resource, WatchEvent change, WatchStreamOptions options)
    {
        switch (change.Type)
        {
            case WatchEvent.Error:
                return change.Object.DeepClone();
            case WatchEvent.Bookmark:
                return new JsonObject
                {
                    ["kind"] = resource.Kind,
                    ["apiVersion"] = resource.GroupVersion,
                    ["metadata"] = change.Object["metadata"]!.DeepClone(),
                };
        }

        var served = resource.Behavior.FromStorage(change.Object, resource);
        if (!options.AsTable)
        {
            return served;
        }

        var metadata = new JsonObject { ["resourceVersion"] = ObjectStore.Format(change.Revision) };
        return tables.Convert(resource, [served], metadata, options.IncludeObject);
    }

    private async Task SendBookmarksAsync(WatchSubscription subscription, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(bookmarkInterval, timeProvider, token);
            store.Bookmark(subscription);
        }
    }
}

/// <summary>The watch query options that shape the stream.</summary>
internal sealed record WatchStreamOptions(bool Bookmarks, TimeSpan? Timeout, bool AsTable, IncludeObject IncludeObject);

using System.Globalization;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.Tests.Support;

namespace Webhooks.KubeApiServer.Tests.Watch;

/// <summary>Watch semantics: replay from a resourceVersion, synthetic ADDED, bookmarks, 410 Gone, timeouts, dropped streams.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new KubeApiTestServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100), WatchHistoryLimit = 50 });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Watch_from_a_resource_version_replays_later_changes_in_order()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var from = created["metadata"]!["resourceVersion"]!.ToString();
        await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"spec":{"retries":4}}""", "application/merge-patch+json");
        await _server.CreateSinkOkAsync(TestServer.Sink("b"));
        await _server.SendAsync(HttpMethod.Delete, TestServer.SinksPath + "/a");

        await using var watch = await WatchReader.OpenAsync(_server.Http, $"{TestServer.SinksPath}?watch=true&resourceVersion={from}");
        var events = new List<JsonObject>();
        for (var i = 0; i < 3; i++)
        {
            events.Add((await watch.NextAsync())!);
        }

        Assert.Equal(["MODIFIED a", "ADDED b", "DELETED a"], events.Select(e => $"{e["type"]} {e["object"]!["metadata"]!["name"]}"));
        var versions = events.Select(e => long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.ToString(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(_server.Server.CurrentResourceVersion, versions[^1]);
    }

    [Fact]
    public async Task Watch_without_resource_version_starts_with_synthetic_added_events_then_follows()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        await using var watch = await WatchReader.OpenAsync(_server.Http, TestServer.SinksPath + "?watch=1");
        var initial = await watch.NextAsync();
        Assert.Equal("ADDED", initial!["type"]!.ToString());

        await _server.CreateSinkOkAsync(TestServer.Sink("b"));
        var live = await watch.NextAsync();
        Assert.Equal("ADDED", live!["type"]!.ToString());
        Assert.Equal("b", live["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Bookmarks_carry_only_the_current_resource_version()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var current = _server.Server.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture);
        await using var watch = await WatchReader.OpenAsync(_server.Http, $"{TestServer.SinksPath}?watch=true&allowWatchBookmarks=true&resourceVersion={current}");

        var bookmark = await watch.NextOfTypeAsync("BOOKMARK");
        Assert.Equal(
            """{"kind":"Sink","apiVersion":"test.kubeapi.dev/v1","metadata":{"resourceVersion":"CURRENT"}}""".Replace("CURRENT", current, StringComparison.Ordinal),
            bookmark["object"]!.ToJsonString());
    }

    [Fact]
    public async Task Watch_from_a_compacted_resource_version_gets_410_expired()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"spec":{"retries":4}}""", "application/merge-patch+json");
        _server.Server.ForceCompaction();
        var old = created["metadata"]!["resourceVersion"]!.ToString();

        await using var watch = await WatchReader.OpenAsync(_server.Http, $"{TestServer.SinksPath}?watch=true&resourceVersion={old}");
        var error = await watch.NextAsync();
        Assert.Equal("ERROR", error!["type"]!.ToString());
        Assert.Equal(
            $"{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\"message\":\"too old resource version: {old} ({_server.Server.CurrentResourceVersion})\",\"reason\":\"Expired\",\"code\":410}}",
            error["object"]!.ToJsonString(TestJson.Relaxed));
        Assert.Null(await watch.NextAsync());
    }

    [Fact]
    public async Task History_is_bounded_so_old_versions_expire_without_compaction()
    {
        var created = await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        for (var i = 0; i < 60; i++)
        {
            await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", "{\"metadata\":{\"labels\":{\"n\":\"" + i + "\"}}}", "application/merge-patch+json");
        }

        await using var watch = await WatchReader.OpenAsync(_server.Http, $"{TestServer.SinksPath}?watch=true&resourceVersion={created["metadata"]!["resourceVersion"]}");
        Assert.Equal("ERROR", (await watch.NextAsync())!["type"]!.ToString());
    }

    [Fact]
    public async Task Timeout_seconds_closes_the_stream()
    {
        await using var watch = await WatchReader.OpenAsync(_server.Http, TestServer.SinksPath + "?watch=true&timeoutSeconds=1");
        Assert.Null(await watch.NextAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => _server.Server.ActiveWatchCount == 0, "the timed-out watch was unregistered");
    }

    [Fact]
    public async Task Dropping_watches_closes_every_open_stream()
    {
        await using var first = await WatchReader.OpenAsync(_server.Http, TestServer.SinksPath + "?watch=true");
        await using var second = await WatchReader.OpenAsync(_server.Http, "/api/v1/secrets?watch=true");
        await Eventually.TrueAsync(() => _server.Server.ActiveWatchCount == 2, "both watches are open");

        _server.Server.DropWatches();

        Assert.Null(await first.NextAsync());
        Assert.Null(await second.NextAsync());
    }

    [Fact]
    public async Task Label_selected_watches_see_objects_enter_and_leave_the_selection()
    {
        await _server.CreateSinkOkAsync(TestServer.Sink("a"));
        var from = _server.Server.CurrentResourceVersion;
        await using var watch = await WatchReader.OpenAsync(_server.Http, $"{TestServer.SinksPath}?watch=true&labelSelector=on%3Dyes&resourceVersion={from}");

        await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"metadata":{"labels":{"on":"yes"}}}""", "application/merge-patch+json");
        await _server.SendAsync(HttpMethod.Patch, TestServer.SinksPath + "/a", """{"metadata":{"labels":{"on":"no"}}}""", "application/merge-patch+json");

        Assert.Equal("ADDED", (await watch.NextAsync())!["type"]!.ToString());
        Assert.Equal("DELETED", (await watch.NextAsync())!["type"]!.ToString());
    }
}

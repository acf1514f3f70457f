using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Controller.Informers;
using Webhooks.Operator.Resources;
using Webhooks.Operator.Tests.Controller.Support;
using Webhooks.Operator.Tests.Support;

namespace Webhooks.Operator.Tests.Controller.Informers;

public sealed class InformerTests : IAsyncLifetime
{
    private const string TeamA = "team-a";
    private const string TeamB = "team-b";
    private const string TeamC = "team-c";

    private readonly CancellationTokenSource _stop = new();
    private KubeTestEnvironment _env = null!;
    private Task _run = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _env = await KubeTestEnvironment.StartAsync(TimeSpan.FromMilliseconds(50), TeamA, TeamB, TeamC);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task InitialList_FillsCacheAcrossPages_AndSyncs()
    {
        await _env.CreateWebhookAsync(TeamA, "one");
        await _env.CreateWebhookAsync(TeamA, "two");
        await _env.CreateWebhookAsync(TeamB, "three");
        var (informer, recorder, _) = CreateInformer(pageSize: 2);
        Assert.False(informer.HasSynced);

        Start(informer);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(informer.HasSynced);
        Assert.Equal(3, informer.List().Count);
        Assert.Equal(["one", "two"], informer.List(TeamA).Select(w => w.Metadata.Name).Order());
        Assert.True(informer.TryGet(new ObjectKey(TeamB, "three"), out var three));
        Assert.Equal("https://receiver.example.com/hook", three.Spec.Url);
        Assert.False(informer.TryGet(new ObjectKey(TeamB, "one"), out _));
        Assert.Equal(["ADD team-a/one", "ADD team-a/two", "ADD team-b/three"], recorder.Events.Order());
    }

    [Fact]
    public async Task WatchedChanges_ReachHandlersInOrder()
    {
        var (informer, recorder, _) = await StartSyncedAsync();

        await _env.CreateWebhookAsync(TeamA, "hook");
        await _env.UpdateWebhookAsync(TeamA, "hook", "renamed");
        await _env.DeleteWebhookAsync(TeamA, "hook");
        await recorder.WaitForCountAsync(3);

        Assert.Equal(["ADD team-a/hook", "UPDATE team-a/hook", "DELETE team-a/hook"], recorder.Events);
        Assert.Empty(informer.List());
    }

    [Fact]
    public async Task Bookmarks_AdvanceTheResourceVersion_WithoutEvents()
    {
        await _env.CreateWebhookAsync(TeamA, "hook");
        var (informer, recorder, _) = await StartSyncedAsync();
        var listedAt = informer.GetLastSyncResourceVersion();

        // A Secret write moves the global resourceVersion without any Webhook event; only a
        // bookmark can tell the Webhook watch about it.
        await _env.CreateSecretAsync(TeamA, "unrelated");
        var current = _env.Server.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => informer.GetLastSyncResourceVersion() == current, "a bookmark carried the new resourceVersion");

        Assert.NotEqual(listedAt, current);
        Assert.Equal(["ADD team-a/hook"], recorder.Events);
    }

    [Fact]
    public async Task ExpiredWatch_Relists_AndDeliversWhatChangedWhileDisconnected()
    {
        await _env.CreateWebhookAsync(TeamA, "kept");
        await _env.CreateWebhookAsync(TeamA, "changed");
        await _env.CreateWebhookAsync(TeamA, "deleted");
        var (informer, recorder, gate) = await StartSyncedAsync();
        var before = recorder.Events.Count;

        gate.Close();
        _env.Server.DropWatches();
        await gate.Held.WaitAsync(TimeSpan.FromSeconds(10));
        await _env.UpdateWebhookAsync(TeamA, "changed", "new name");
        await _env.DeleteWebhookAsync(TeamA, "deleted");
        _env.Server.ForceCompaction();
        gate.Open();

        await recorder.WaitForCountAsync(before + 2);
        Assert.Equal(["DELETE team-a/deleted", "UPDATE team-a/changed"], recorder.Since(before));
        Assert.Equal(2, gate.ListCalls);
        Assert.True(informer.TryGet(new ObjectKey(TeamA, "changed"), out var changed));
        Assert.Equal("new name", changed.Spec.DisplayName);
        Assert.False(informer.TryGet(new ObjectKey(TeamA, "deleted"), out _));
        Assert.True(informer.TryGet(new ObjectKey(TeamA, "kept"), out _));
    }

    [Fact]
    public async Task DroppedWatch_ResumesFromLastResourceVersion_WithoutReplayingOldEvents()
    {
        await _env.CreateWebhookAsync(TeamA, "old");
        var (informer, recorder, gate) = await StartSyncedAsync();
        await _env.UpdateWebhookAsync(TeamA, "old", "seen before the drop");
        await recorder.WaitForCountAsync(2);

        gate.Close();
        _env.Server.DropWatches();
        await gate.Held.WaitAsync(TimeSpan.FromSeconds(10));
        var resumeFrom = informer.GetLastSyncResourceVersion();
        await _env.CreateWebhookAsync(TeamA, "new");
        gate.Open();

        await recorder.WaitForCountAsync(3);
        Assert.Equal(["ADD team-a/old", "UPDATE team-a/old", "ADD team-a/new"], recorder.Events);
        Assert.Equal(resumeFrom, gate.WatchedFrom.Last());
        Assert.Equal(1, gate.ListCalls);

        // The resumed watch keeps working.
        await _env.DeleteWebhookAsync(TeamA, "old");
        await recorder.WaitForCountAsync(4);
        Assert.Equal("DELETE team-a/old", recorder.Events[3]);
    }

    [Fact]
    public async Task NamespaceRestrictedInformer_IgnoresOtherNamespaces()
    {
        await _env.CreateWebhookAsync(TeamA, "listed");
        await _env.CreateWebhookAsync(TeamB, "other");
        var (informer, recorder, _) = await StartSyncedAsync(TeamA, TeamC);

        Assert.Equal(2, _env.Server.ActiveWatchCount);
        await _env.CreateWebhookAsync(TeamB, "other-later");
        await _env.CreateWebhookAsync(TeamC, "watched");
        await recorder.WaitForCountAsync(2);

        Assert.Equal(["ADD team-a/listed", "ADD team-c/watched"], recorder.Events);
        Assert.All(informer.List(), w => Assert.NotEqual(TeamB, w.Metadata.NamespaceProperty));
        Assert.NotNull(informer.GetLastSyncResourceVersion(TeamA));
        Assert.Null(informer.GetLastSyncResourceVersion());
    }

    [Fact]
    public async Task Stopping_EmptiesTheCache_AndTheNextRunListsAfresh()
    {
        await _env.CreateWebhookAsync(TeamA, "hook");
        var (informer, recorder, gate) = await StartSyncedAsync();

        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(informer.HasSynced);
        Assert.Empty(informer.List());

        using var again = new CancellationTokenSource();
        var rerun = informer.RunAsync(again.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(informer.List());
        Assert.Equal(["ADD team-a/hook", "ADD team-a/hook"], recorder.Events);
        Assert.Equal(2, gate.ListCalls);
        await again.CancelAsync();
        await rerun.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private (Informer<V1Alpha1Webhook> Informer, EventRecorder<V1Alpha1Webhook> Recorder, GatedListWatch<V1Alpha1Webhook> Gate) CreateInformer(
        int pageSize = InformerOptions.DefaultPageSize,
        params string[] namespaces)
    {
        var gate = new GatedListWatch<V1Alpha1Webhook>(ListWatch.ForWebhooks(_env.Client));
        var informer = new Informer<V1Alpha1Webhook>(
            gate,
            new InformerOptions { Namespaces = namespaces, PageSize = pageSize, BackoffBase = TimeSpan.FromMilliseconds(10), BackoffMax = TimeSpan.FromMilliseconds(100) },
            TimeProvider.System,
            NullLogger<Informer<V1Alpha1Webhook>>.Instance);
        return (informer, new EventRecorder<V1Alpha1Webhook>(informer), gate);
    }

    private async Task<(Informer<V1Alpha1Webhook> Informer, EventRecorder<V1Alpha1Webhook> Recorder, GatedListWatch<V1Alpha1Webhook> Gate)> StartSyncedAsync(params string[] namespaces)
    {
        var created = CreateInformer(namespaces: namespaces);
        Start(created.Informer);
        await created.Informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var watches = Math.Max(1, namespaces.Length);
        await Eventually.TrueAsync(() => _env.Server.ActiveWatchCount == watches, "the informer's watches are open");
        return created;
    }

    private void Start(Informer<V1Alpha1Webhook> informer) => _run = informer.RunAsync(_stop.Token);
}

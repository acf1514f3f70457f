using Microsoft.Extensions.Time.Testing;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Tests.Controller.Support;
using Webhooks.Operator.Tests.Support;

namespace Webhooks.Operator.Tests.Controller;

public sealed class WebhookControllerTests : IAsyncLifetime
{
    private const string Ns = "team-a";
    private static readonly ObjectKey Siem = new(Ns, "siem");
    private static readonly ObjectKey Chat = new(Ns, "chat");

    private readonly CancellationTokenSource _stop = new();
    private KubeTestEnvironment _env = null!;
    private Task _run = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _env = await KubeTestEnvironment.StartAsync(namespaces: Ns);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task WebhookChanges_AreReconciled_IncludingDeletes()
    {
        var reconciler = new ScriptedReconciler();
        var rig = await StartAsync(reconciler);

        await _env.CreateWebhookAsync(Ns, "siem");
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 1, "the new Webhook was reconciled");
        await _env.UpdateWebhookAsync(Ns, "siem", "renamed");
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 2, "the changed Webhook was reconciled");
        await _env.DeleteWebhookAsync(Ns, "siem");
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 3, "the deleted Webhook was reconciled");

        Assert.False(rig.Controller.Webhooks.TryGet(Siem, out _));
        // The metric follows the reconcile's return.
        await Eventually.TrueAsync(() => rig.Reconciles(OperatorMetrics.ReconcileResults.Success) == 3, "three successes were counted");
        Assert.False(reconciler.OverlapSeen);
    }

    [Fact]
    public async Task SecretChange_RequeuesOnlyTheWebhooksThatReferenceIt()
    {
        await _env.CreateSecretAsync(Ns, "siem-token");
        await _env.CreateWebhookAsync(Ns, "siem", secretName: "siem-token");
        await _env.CreateWebhookAsync(Ns, "chat");
        var reconciler = new ScriptedReconciler();
        // One worker keeps the queue's order observable: see the barrier below.
        await StartAsync(reconciler, options: new ControllerOptions { Workers = 1 });
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 1 && reconciler.Calls(Chat) == 1, "the initial list was reconciled");

        await _env.UpdateSecretAsync(Ns, "siem-token", "rotated");
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 2, "the secret change requeued the referencing Webhook");
        await _env.DeleteSecretAsync(Ns, "siem-token");
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 3, "the secret deletion requeued the referencing Webhook");

        // Barrier: a later change to siem is handled after anything the secret events queued.
        await _env.UpdateWebhookAsync(Ns, "siem", "barrier");
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 4, "the barrier change was reconciled");
        Assert.Equal(1, reconciler.Calls(Chat));
    }

    [Fact]
    public async Task FailingReconcile_IsRetriedWithDoublingBackoff_ThenSucceeds()
    {
        var time = new FakeTimeProvider();
        var reconciler = new ScriptedReconciler((_, call) => call <= 2 ? throw new InvalidOperationException($"failure {call}") : null);
        var options = new ControllerOptions();
        options.Queue.BaseDelay = TimeSpan.FromSeconds(1);
        await _env.CreateWebhookAsync(Ns, "siem");
        var rig = await StartAsync(reconciler, time, options);

        await Eventually.TrueAsync(() => rig.Errors == 1, "the first reconcile failed");
        await AssertRequeuedAfterAsync(rig, time, TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => rig.Errors == 2, "the second reconcile failed");
        await AssertRequeuedAfterAsync(rig, time, TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => rig.Reconciles(OperatorMetrics.ReconcileResults.Success) == 1, "the third reconcile succeeded");

        Assert.Equal(3, reconciler.Calls(Siem));
        Assert.Equal(2, rig.Reconciles(OperatorMetrics.ReconcileResults.Error));
        Assert.Equal(2, rig.QueueRetries);
    }

    [Fact]
    public async Task RequeueAfter_ReconcilesAgainOnceTheDelayHasPassed()
    {
        var time = new FakeTimeProvider();
        var reconciler = new ScriptedReconciler((_, call) => call == 1 ? TimeSpan.FromSeconds(30) : null);
        await _env.CreateWebhookAsync(Ns, "siem");
        var rig = await StartAsync(reconciler, time);

        await Eventually.TrueAsync(() => rig.Reconciles(OperatorMetrics.ReconcileResults.RequeueAfter) == 1, "the first reconcile asked to come back");
        await AssertRequeuedAfterAsync(rig, time, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => rig.Reconciles(OperatorMetrics.ReconcileResults.Success) == 1, "the second reconcile succeeded");

        Assert.Equal(2, reconciler.Calls(Siem));
        Assert.Equal(0, rig.QueueRetries);
    }

    [Fact]
    public async Task ZeroRequeueAfter_RequeuesWithTheRateLimitedBackoff()
    {
        var time = new FakeTimeProvider();
        var reconciler = new ScriptedReconciler((_, call) => call == 1 ? TimeSpan.Zero : null);
        var options = new ControllerOptions();
        options.Queue.BaseDelay = TimeSpan.FromSeconds(1);
        await _env.CreateWebhookAsync(Ns, "siem");
        var rig = await StartAsync(reconciler, time, options);

        await Eventually.TrueAsync(() => rig.Reconciles(OperatorMetrics.ReconcileResults.Requeue) == 1, "the first reconcile asked to requeue");
        await AssertRequeuedAfterAsync(rig, time, TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => rig.Reconciles(OperatorMetrics.ReconcileResults.Success) == 1, "the second reconcile succeeded");

        Assert.Equal(1, rig.QueueRetries);
        Assert.Equal(0, rig.Errors);
    }

    /// <summary>The key is queued again exactly when <paramref name="delay"/> has passed on the controller's clock.</summary>
    private static async Task AssertRequeuedAfterAsync(ControllerRig rig, FakeTimeProvider time, TimeSpan delay)
    {
        var adds = rig.QueueAdds;
        time.Advance(delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(adds, rig.QueueAdds);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => rig.QueueAdds == adds + 1, $"the key was queued again after {delay}");
    }

    private async Task<ControllerRig> StartAsync(ScriptedReconciler reconciler, TimeProvider? time = null, ControllerOptions? options = null)
    {
        var rig = new ControllerRig(_env, reconciler, time, options);
        _run = rig.Controller.RunAsync(_stop.Token);
        await Eventually.TrueAsync(() => rig.Controller.HasSynced, "the controller's caches synced");
        return rig;
    }
}

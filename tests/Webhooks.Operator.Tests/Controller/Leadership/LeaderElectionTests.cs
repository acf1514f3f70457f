using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Controller.Leadership;
using Webhooks.Operator.Tests.Controller.Support;
using Webhooks.Operator.Tests.Support;

namespace Webhooks.Operator.Tests.Controller.Leadership;

public sealed class LeaderElectionTests : IAsyncLifetime
{
    private const string Ns = "team-a";
    private const string LeaseName = "webhooks-operator";
    private const string LeaseNamespace = "default";
    private static readonly ObjectKey Siem = new(Ns, "siem");

    private readonly List<Replica> _replicas = [];
    private KubeTestEnvironment _env = null!;

    public async Task InitializeAsync()
    {
        _env = await KubeTestEnvironment.StartAsync(namespaces: Ns);
        await _env.CreateWebhookAsync(Ns, "siem");
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.Host.StopAsync(CancellationToken.None);
            replica.Host.Dispose();
        }

        await _env.DisposeAsync();
    }

    [Fact]
    public async Task OnlyTheLeaderReconciles_AndAFollowerTakesOverOnceTheStoppedLeadersLeaseExpires()
    {
        var (leader, follower) = await StartTwoAndFindLeaderAsync(releaseOnCancel: false);

        Assert.Equal(0, follower.Reconciler.TotalCalls);
        Assert.False(follower.Host.IsLeader);
        Assert.Equal(1, leader.LeaderGauge);
        Assert.Equal(0, follower.LeaderGauge);
        // Only the leader runs informers: one watch for Webhooks and one for Secrets.
        Assert.Equal(2, _env.Server.ActiveWatchCount);
        Assert.True(leader.Host.IsReady);
        Assert.True(follower.Host.IsReady);

        await leader.Host.StopAsync(CancellationToken.None);
        Assert.False(leader.Host.IsLeader);
        Assert.Equal(0, leader.LeaderGauge);
        var lease = await _env.Client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, LeaseNamespace);
        Assert.Equal(leader.Identity, lease.Spec.HolderIdentity);

        await Eventually.TrueAsync(() => follower.Reconciler.Calls(Siem) == 1, "the new leader listed afresh and reconciled");
        Assert.True(follower.Host.IsLeader);
        Assert.Equal(1, follower.LeaderGauge);
        Assert.Equal(1, leader.Reconciler.TotalCalls);
        lease = await _env.Client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, LeaseNamespace);
        Assert.Equal(follower.Identity, lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task StoppingLeader_ReleasesTheLease_AndTheFollowerTakesOver()
    {
        var (leader, follower) = await StartTwoAndFindLeaderAsync(releaseOnCancel: true);

        await leader.Host.StopAsync(CancellationToken.None);
        var lease = await _env.Client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, LeaseNamespace);
        Assert.Contains(lease.Spec.HolderIdentity, new[] { string.Empty, follower.Identity });

        await Eventually.TrueAsync(() => follower.Reconciler.Calls(Siem) == 1, "the follower took over and reconciled");
        Assert.Equal(1, follower.LeaderGauge);
        Assert.Equal(0, leader.LeaderGauge);
    }

    [Fact]
    public async Task LeaderThatCannotRenew_StopsItsController_AndTheFollowerTakesOver()
    {
        var (leader, follower) = await StartTwoAndFindLeaderAsync(releaseOnCancel: true);

        leader.Lock.FailWrites();

        await Eventually.TrueAsync(() => !leader.Host.IsLeader, "the leader gave up after its renew deadline");
        Assert.Equal(0, leader.LeaderGauge);
        await Eventually.TrueAsync(() => follower.Reconciler.Calls(Siem) == 1, "the follower took over once the lease expired");
        Assert.True(follower.Host.IsLeader);
        Assert.False(leader.Host.IsLeader);
        Assert.Equal(1, leader.Reconciler.TotalCalls);
        // Its informers have stopped. (Not checked through the server's watch count: KubernetesClient
        // can leave a cancelled watch's connection open until the server's timeoutSeconds.)
        await Eventually.TrueAsync(() => !leader.Host.HasSynced, "the old leader's informers stopped");
    }

    [Fact]
    public async Task WithoutLeaderElection_TheControllerRunsAtOnce()
    {
        var reconciler = new ScriptedReconciler();
        var rig = new ControllerRig(_env, reconciler);
        using var host = new ControllerHost(rig.Controller);
        Assert.True(host.IsLeader);
        Assert.False(host.IsReady);

        await host.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => reconciler.Calls(Siem) == 1, "the controller reconciled");
        Assert.True(host.IsReady);
        await host.StopAsync(CancellationToken.None);

        Assert.False(host.HasSynced);
    }

    [Fact]
    public void Options_RejectInconsistentTimings()
    {
        var options = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromMilliseconds(1500), RenewDeadline = TimeSpan.FromSeconds(2), RetryPeriod = TimeSpan.FromSeconds(3) };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).SelectMany(e => e.MemberNames).ToList();

        Assert.Contains(nameof(LeaderElectionOptions.LeaseDuration), errors);
        Assert.Contains(nameof(LeaderElectionOptions.RenewDeadline), errors);
        Assert.Contains(nameof(LeaderElectionOptions.RetryPeriod), errors);
        Assert.Empty(new LeaderElectionOptions().Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
    }

    private async Task<(Replica Leader, Replica Follower)> StartTwoAndFindLeaderAsync(bool releaseOnCancel)
    {
        var first = AddReplica("replica-1", releaseOnCancel);
        var second = AddReplica("replica-2", releaseOnCancel);
        await first.Host.StartAsync(CancellationToken.None);
        await second.Host.StartAsync(CancellationToken.None);

        await Eventually.TrueAsync(
            () => first.Reconciler.Calls(Siem) + second.Reconciler.Calls(Siem) == 1 && _env.Server.ActiveWatchCount == 2,
            "one replica leads and has reconciled");
        var leader = first.Reconciler.Calls(Siem) == 1 ? first : second;
        var follower = leader == first ? second : first;
        Assert.True(leader.Host.IsLeader);
        await Eventually.TrueAsync(() => follower.Runner.Leader == leader.Identity, "the follower has seen who leads");
        return (leader, follower);
    }

    private Replica AddReplica(string identity, bool releaseOnCancel)
    {
        var reconciler = new ScriptedReconciler();
        var rig = new ControllerRig(_env, reconciler);
        var options = new LeaderElectionOptions
        {
            LeaseName = LeaseName,
            LeaseNamespace = LeaseNamespace,
            Identity = identity,
            // Short, yet long enough that a busy two-core test run does not make the lease flap.
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromMilliseconds(1500),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
            ReleaseOnCancel = releaseOnCancel,
        };
        var leaseLock = new SwitchableLock(options.CreateLock(_env.Client));
        var runner = new LeaderElectionRunner(leaseLock, options, rig.Metrics, TimeProvider.System, NullLogger<LeaderElectionRunner>.Instance);
        var replica = new Replica(identity, new ControllerHost(rig.Controller, runner), runner, leaseLock, rig, reconciler);
        _replicas.Add(replica);
        return replica;
    }

    private sealed record Replica(string Identity, ControllerHost Host, LeaderElectionRunner Runner, SwitchableLock Lock, ControllerRig Rig, ScriptedReconciler Reconciler)
    {
        public double LeaderGauge => Rig.Metrics.LeaderElectionMasterStatus.WithLabels(LeaseName).Value;
    }
}

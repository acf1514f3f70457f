using System.Runtime.ExceptionServices;
using k8s.LeaderElection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Webhooks.Operator.Controller.Leadership;

/// <summary>
/// Runs work only while this replica holds the lease, using KubernetesClient's <see cref="LeaderElector"/>
/// over an <see cref="ILock"/> (a <c>LeaseLock</c> in production). Each term gets its own
/// cancellation token, cancelled when leadership is lost; then the replica campaigns again.
/// </summary>
public sealed class LeaderElectionRunner
{
    private readonly ILock _lock;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Gauge.Child _masterStatus;
    private volatile bool _isLeader;
    private volatile string? _leader;

    public LeaderElectionRunner(ILock leaseLock, LeaderElectionOptions options, OperatorMetrics metrics, TimeProvider timeProvider, ILogger<LeaderElectionRunner> logger)
    {
        _lock = leaseLock;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _masterStatus = metrics.LeaderElectionMasterStatus.WithLabels(options.LeaseName);
    }

    /// <summary>This replica's identity in the lease.</summary>
    public string Identity => _lock.Identity;

    /// <summary>True while this replica leads and its work runs.</summary>
    public bool IsLeader => _isLeader;

    /// <summary>The holder this replica last observed, or null before it has read the lease.</summary>
    public string? Leader => _leader;

    /// <summary>
    /// Campaigns for the lease until <paramref name="cancellationToken"/> is cancelled and runs
    /// <paramref name="lead"/> during each term, cancelling it (and waiting for it) when the term
    /// ends. If <paramref name="lead"/> fails, leadership is given up and the exception rethrown.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        _logger.LeaderElectionStarted(_options.LeaseName, _lock.Identity);
        _masterStatus.Set(0);
        while (!cancellationToken.IsCancellationRequested)
        {
            var (led, failure) = await RunTermAsync(lead, cancellationToken);
            var stopping = failure is not null || cancellationToken.IsCancellationRequested;
            if (led && stopping && _options.ReleaseOnCancel)
            {
                await ReleaseAsync();
            }

            failure?.Throw();
            if (stopping)
            {
                break;
            }

            if (!led)
            {
                // The elector gave up without ever leading (it threw, e.g. the API server was
                // unreachable); it has its own retry delays only while it is running.
                try
                {
                    await Task.Delay(_options.RetryPeriod, _timeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>One campaign: acquire, lead until the lease is lost or cancellation, stop the work.</summary>
    private async Task<(bool Led, ExceptionDispatchInfo? Failure)> RunTermAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fence = new FencedLock(_lock);
        using var elector = new LeaderElector(new LeaderElectionConfig(fence)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });
        Task<ExceptionDispatchInfo?>? leading = null;
        elector.OnStartedLeading += () =>
        {
            _isLeader = true;
            _masterStatus.Set(1);
            _logger.LeadershipAcquired(_options.LeaseName, _lock.Identity);
            leading = LeadAsync(lead, term);
        };
        elector.OnStoppedLeading += () =>
        {
            _isLeader = false;
            _masterStatus.Set(0);
            term.Cancel();
            if (!cancellationToken.IsCancellationRequested)
            {
                _logger.LeadershipLost(_options.LeaseName, _lock.Identity);
            }
        };
        elector.OnNewLeader += leader =>
        {
            _leader = leader;
            _logger.LeaderObserved(_options.LeaseName, leader);
        };
        elector.OnError += error => _logger.LeaderElectionError(error, _options.LeaseName);

        try
        {
            await elector.RunUntilLeadershipLostAsync(term.Token);
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
            // Cancelled, or the work failed and gave up the lease.
        }
        catch (Exception error)
        {
            // Acquiring lets exceptions other than HTTP errors escape, e.g. a refused connection.
            _logger.LeaderElectionError(error, _options.LeaseName);
        }

        var failure = leading is null ? null : await leading;
        // Any write the elector left running finishes before the caller may release the Lease or
        // start the next term.
        await fence.CloseAsync();
        return (leading is not null, failure);
    }

    private static async Task<ExceptionDispatchInfo?> LeadAsync(Func<CancellationToken, Task> lead, CancellationTokenSource term)
    {
        try
        {
            // Off the elector's callback: the work runs as long as the term does.
            await Task.Run(() => lead(term.Token));
            return null;
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception error)
        {
            return ExceptionDispatchInfo.Capture(error);
        }
        finally
        {
            // Work that ends, by failing or otherwise, ends the term: the elector stops renewing
            // and another replica can lead.
            await term.CancelAsync();
        }
    }

    /// <summary>Empties the holder, as client-go's ReleaseOnCancel does, so a follower need not wait for expiry.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _timeProvider);
        try
        {
            var current = await _lock.GetAsync(timeout.Token);
            if (current?.HolderIdentity != _lock.Identity)
            {
                return;
            }

            var released = new LeaderElectionRecord
            {
                // Empty, not null: KubernetesClient's elector tries to create the lease when the
                // holder is null, which fails forever because the lease exists.
                HolderIdentity = string.Empty,
                LeaseDurationSeconds = 1,
                AcquireTime = current.AcquireTime,
                RenewTime = _timeProvider.GetUtcNow().UtcDateTime,
                LeaderTransitions = current.LeaderTransitions,
            };
            if (await _lock.UpdateAsync(released, timeout.Token))
            {
                _logger.LeaseReleased(_options.LeaseName);
            }
            else
            {
                _logger.LeaseReleaseFailed(null, _options.LeaseName);
            }
        }
        catch (Exception error)
        {
            _logger.LeaseReleaseFailed(error, _options.LeaseName);
        }
    }
}

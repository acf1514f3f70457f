using k8s.Models;
using Microsoft.Extensions.Logging;
using Prometheus;
using Webhooks.Operator.Controller.Informers;
using Webhooks.Operator.Controller.Queue;
using Webhooks.Operator.Resources;

namespace Webhooks.Operator.Controller;

/// <summary>
/// The Webhook controller loop, after controller-runtime: informers for Webhooks and Secrets feed
/// keys into a de-duplicating work queue, and workers hand each key to the <see cref="IReconciler"/>.
/// A Webhook change queues its own key; a Secret change queues the keys the secret mapping returns.
/// </summary>
public sealed class WebhookController
{
    private readonly Informer<V1Alpha1Webhook> _webhooks;
    private readonly Informer<V1Secret> _secrets;
    private readonly Func<V1Secret, IEnumerable<ObjectKey>> _mapSecret;
    private readonly IReconciler _reconciler;
    private readonly ControllerOptions _options;
    private readonly OperatorMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IWorkQueueMetrics _queueMetrics;
    private readonly Histogram.Child _reconcileTime;
    private readonly Counter.Child _reconcileErrors;
    private WorkQueue? _queue;

    /// <param name="webhooks">The Webhook informer; its cache is what <paramref name="mapSecret"/> usually consults.</param>
    /// <param name="secrets">The Secret informer.</param>
    /// <param name="mapSecret">The Webhooks to reconcile when a Secret is added, changed or deleted.</param>
    /// <param name="reconciler">Reconciles one Webhook key.</param>
    /// <param name="options">Name, workers and queue backoff; the informers carry their own namespaces.</param>
    /// <param name="metrics">Where reconcile and work-queue metrics go.</param>
    /// <param name="timeProvider">The clock for requeue delays and reconcile durations.</param>
    /// <param name="logger">The controller's logger.</param>
    public WebhookController(
        Informer<V1Alpha1Webhook> webhooks,
        Informer<V1Secret> secrets,
        Func<V1Secret, IEnumerable<ObjectKey>> mapSecret,
        IReconciler reconciler,
        ControllerOptions options,
        OperatorMetrics metrics,
        TimeProvider timeProvider,
        ILogger<WebhookController> logger)
    {
        _webhooks = webhooks;
        _secrets = secrets;
        _mapSecret = mapSecret;
        _reconciler = reconciler;
        _options = options;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        _queueMetrics = metrics.ForWorkQueue(options.Name);
        _reconcileTime = metrics.ReconcileTime.WithLabels(options.Name);
        _reconcileErrors = metrics.ReconcileErrors.WithLabels(options.Name);

        webhooks.AddEventHandler(new InformerEventHandler<V1Alpha1Webhook>
        {
            OnAdd = webhook => Enqueue(ObjectKey.From(webhook)),
            OnUpdate = (_, webhook) => Enqueue(ObjectKey.From(webhook)),
            OnDelete = webhook => Enqueue(ObjectKey.From(webhook)),
        });
        secrets.AddEventHandler(new InformerEventHandler<V1Secret>
        {
            OnAdd = EnqueueReferencing,
            OnUpdate = (_, secret) => EnqueueReferencing(secret),
            OnDelete = EnqueueReferencing,
        });
    }

    /// <summary>The Webhooks as last seen; empty while the controller is not running.</summary>
    public IInformerCache<V1Alpha1Webhook> Webhooks => _webhooks;

    /// <summary>The Secrets as last seen; empty while the controller is not running.</summary>
    public IInformerCache<V1Secret> Secrets => _secrets;

    /// <summary>True while running, once both informers have listed: the leader's readiness.</summary>
    public bool HasSynced => _webhooks.HasSynced && _secrets.HasSynced;

    /// <summary>
    /// Runs informers and, once they have synced, the workers, until <paramref name="cancellationToken"/>
    /// is cancelled; then waits for reconciles in flight. Every run starts afresh: new lists, new queue.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var queue = new WorkQueue(_options.Queue, _timeProvider, _queueMetrics);
        Volatile.Write(ref _queue, queue);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var shutDown = run.Token.Register(queue.ShutDown);
        _logger.ControllerStarting(_options.Name);
        var informers = Task.WhenAll(_webhooks.RunAsync(run.Token), _secrets.RunAsync(run.Token));
        var workers = RunWorkersAsync(queue, run.Token);
        try
        {
            // Both end only when the run is cancelled, unless something is broken; then the other
            // must stop as well.
            await Task.WhenAny(informers, workers);
        }
        finally
        {
            await run.CancelAsync();
            await Task.WhenAll(informers, workers);
            Volatile.Write(ref _queue, null);
            _logger.ControllerStopped(_options.Name);
        }
    }

    private async Task RunWorkersAsync(WorkQueue queue, CancellationToken cancellationToken)
    {
        try
        {
            // Reconciling before the caches are complete would act on a partial view, e.g. a
            // Secret that exists but has not been listed yet.
            await Task.WhenAll(_webhooks.WaitForSyncAsync(cancellationToken), _secrets.WaitForSyncAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        _logger.ControllerSynced(_options.Name, _options.Workers);
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => Task.Run(() => WorkAsync(queue, cancellationToken)));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(WorkQueue queue, CancellationToken cancellationToken)
    {
        // The queue shuts down when the run is cancelled, which ends this loop.
        while (await queue.GetAsync(CancellationToken.None) is { } key)
        {
            try
            {
                await ReconcileAsync(queue, key, cancellationToken);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    private async Task ReconcileAsync(WorkQueue queue, ObjectKey key, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        string result;
        try
        {
            var requeueAfter = await _reconciler.ReconcileAsync(key, cancellationToken);
            if (requeueAfter is null)
            {
                queue.Forget(key);
                result = OperatorMetrics.ReconcileResults.Success;
            }
            else if (requeueAfter > TimeSpan.Zero)
            {
                queue.Forget(key);
                queue.AddAfter(key, requeueAfter.Value);
                result = OperatorMetrics.ReconcileResults.RequeueAfter;
                _logger.ReconcileRequeueAfter(_options.Name, key, requeueAfter.Value);
            }
            else
            {
                queue.AddRateLimited(key);
                result = OperatorMetrics.ReconcileResults.Requeue;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping mid-reconcile is no failure: the next run lists afresh and reconciles the key again.
            return;
        }
        catch (Exception error)
        {
            queue.AddRateLimited(key);
            result = OperatorMetrics.ReconcileResults.Error;
            _reconcileErrors.Inc();
            _logger.ReconcileFailed(error, _options.Name, key, queue.NumRequeues(key));
        }

        _metrics.ReconcileTotal.WithLabels(_options.Name, result).Inc();
        _reconcileTime.Observe(_timeProvider.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Queues a key from outside the informers (delivery status changes); ignored while not running.</summary>
    public void Enqueue(ObjectKey key) => Volatile.Read(ref _queue)?.Add(key);

    private void EnqueueReferencing(V1Secret secret)
    {
        foreach (var key in _mapSecret(secret))
        {
            Enqueue(key);
        }
    }
}

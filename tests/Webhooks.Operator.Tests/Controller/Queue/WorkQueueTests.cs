using Microsoft.Extensions.Time.Testing;
using Webhooks.Operator.Controller;
using Webhooks.Operator.Controller.Queue;

namespace Webhooks.Operator.Tests.Controller.Queue;

public sealed class WorkQueueTests
{
    private static readonly ObjectKey A = new("team-a", "a");
    private static readonly ObjectKey B = new("team-a", "b");

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingMetrics _metrics = new();
    private readonly WorkQueue _queue;

    public WorkQueueTests()
    {
        _queue = new WorkQueue(new WorkQueueOptions(), _time, _metrics);
    }

    [Fact]
    public async Task Add_SameKeyTwice_IsHandedOutOnce()
    {
        _queue.Add(A);
        _queue.Add(A);
        _queue.Add(B);

        Assert.Equal(2, _queue.Depth);
        Assert.Equal(A, await _queue.GetAsync(CancellationToken.None));
        Assert.Equal(B, await _queue.GetAsync(CancellationToken.None));
        Assert.False(_queue.GetAsync(CancellationToken.None).IsCompleted);
        Assert.Equal(2, _metrics.Adds);
        Assert.Equal(0, _metrics.Depth);
    }

    [Fact]
    public async Task Add_WhileProcessing_IsNotHandedToASecondWorkerBeforeDone()
    {
        _queue.Add(A);
        Assert.Equal(A, await _queue.GetAsync(CancellationToken.None));

        _queue.Add(A);
        var secondWorker = _queue.GetAsync(CancellationToken.None);

        Assert.False(secondWorker.IsCompleted);
        Assert.Equal(0, _queue.Depth);

        _queue.Done(A);

        Assert.Equal(A, await secondWorker.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Done_WithoutReAdd_DoesNotQueueAgain()
    {
        _queue.Add(A);
        Assert.Equal(A, await _queue.GetAsync(CancellationToken.None));

        _queue.Done(A);

        Assert.Equal(0, _queue.Depth);
        Assert.False(_queue.GetAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task GetAsync_Waiting_ReceivesTheNextAdd()
    {
        var waiting = _queue.GetAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        _queue.Add(B);

        Assert.Equal(B, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task GetAsync_Cancelled_DoesNotSwallowALaterKey()
    {
        using var cancel = new CancellationTokenSource();
        var abandoned = _queue.GetAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        _queue.Add(A);

        Assert.Equal(A, await _queue.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AddAfter_FiresOnlyOnceTheDelayHasPassed()
    {
        _queue.AddAfter(A, TimeSpan.FromSeconds(10));
        var waiting = _queue.GetAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, _metrics.Adds);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(A, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AddAfter_Twice_KeepsTheEarlierTime()
    {
        _queue.AddAfter(A, TimeSpan.FromSeconds(10));
        _queue.AddAfter(A, TimeSpan.FromSeconds(3));
        _queue.AddAfter(A, TimeSpan.FromSeconds(20));

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, _queue.Depth);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _metrics.Adds);
    }

    [Fact]
    public async Task AddRateLimited_BackoffDoublesPerFailure_AndForgetResetsIt()
    {
        var queue = new WorkQueue(new WorkQueueOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3) }, _time, _metrics);

        Assert.Equal(TimeSpan.FromSeconds(1), await FailAndMeasureAsync(queue));
        Assert.Equal(TimeSpan.FromSeconds(2), await FailAndMeasureAsync(queue));
        Assert.Equal(TimeSpan.FromSeconds(3), await FailAndMeasureAsync(queue));
        Assert.Equal(TimeSpan.FromSeconds(3), await FailAndMeasureAsync(queue));
        Assert.Equal(4, queue.NumRequeues(A));
        Assert.Equal(4, _metrics.Retries);

        queue.Forget(A);

        Assert.Equal(0, queue.NumRequeues(A));
        Assert.Equal(TimeSpan.FromSeconds(1), await FailAndMeasureAsync(queue));
    }

    [Fact]
    public void AddRateLimited_Defaults_AreControllerRuntimes()
    {
        _queue.AddRateLimited(A);
        _time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, _queue.Depth);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _queue.Depth);

        Assert.Equal(TimeSpan.FromSeconds(1000), ExponentialBackoff.Delay(WorkQueueOptions.DefaultBaseDelay, WorkQueueOptions.DefaultMaxDelay, 100));
    }

    [Fact]
    public async Task ShutDown_ReleasesWaitersAndIgnoresAdds()
    {
        var waiting = _queue.GetAsync(CancellationToken.None);
        _queue.AddAfter(B, TimeSpan.FromSeconds(1));

        _queue.ShutDown();
        _queue.Add(A);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(await _queue.GetAsync(CancellationToken.None));
        Assert.Equal(0, _queue.Depth);
    }

    /// <summary>Takes A, fails it, and advances the clock a millisecond at a time until A is back.</summary>
    private async Task<TimeSpan> FailAndMeasureAsync(WorkQueue queue)
    {
        queue.AddRateLimited(A);
        var waited = TimeSpan.Zero;
        while (queue.Depth == 0)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            waited += TimeSpan.FromMilliseconds(1);
        }

        Assert.Equal(A, await queue.GetAsync(CancellationToken.None));
        queue.Done(A);
        return waited;
    }

    private sealed class RecordingMetrics : IWorkQueueMetrics
    {
        public int Depth { get; private set; }

        public int Adds { get; private set; }

        public int Retries { get; private set; }

        public void SetDepth(int depth) => Depth = depth;

        public void Added() => Adds++;

        public void Retried() => Retries++;
    }
}

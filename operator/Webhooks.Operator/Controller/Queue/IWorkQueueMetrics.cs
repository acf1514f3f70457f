namespace Webhooks.Operator.Controller.Queue;

/// <summary>What a <see cref="WorkQueue"/> reports; <see cref="OperatorMetrics"/> publishes it under controller-runtime's names.</summary>
public interface IWorkQueueMetrics
{
    void SetDepth(int depth);

    void Added();

    void Retried();
}

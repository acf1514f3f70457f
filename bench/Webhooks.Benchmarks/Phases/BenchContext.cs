using Webhooks.Benchmarks.Infrastructure;
using Webhooks.Benchmarks.Load;

namespace Webhooks.Benchmarks.Phases;

/// <summary>What every phase works with: the running dispatcher, its database, the receivers and a producer.</summary>
public sealed record BenchContext(
    BenchOptions Options,
    DispatcherProcess Dispatcher,
    BenchDatabase Database,
    IReadOnlyList<Receiver> Receivers,
    IngestClient Ingest,
    int PostmasterPid)
{
    /// <summary>CPU seconds of the parties, read together so a phase can report cores used.</summary>
    public CpuSnapshot Cpu() => new(
        Clock.Now,
        Dispatcher.CpuSeconds(),
        CpuMeter.TreeSeconds(PostmasterPid),
        CpuMeter.ProcessSeconds(Environment.ProcessId),
        CpuMeter.MachineBusySeconds());
}

public sealed record CpuSnapshot(long At, double Dispatcher, double Postgres, double Harness, double Machine)
{
    /// <summary>Average cores each party kept busy from <paramref name="start"/> to this reading.</summary>
    public (double Dispatcher, double Postgres, double Harness, double Machine) CoresSince(CpuSnapshot start)
    {
        var seconds = Math.Max(Clock.Seconds(start.At, At), 1e-9);
        return (Round((Dispatcher - start.Dispatcher) / seconds), Round((Postgres - start.Postgres) / seconds),
            Round((Harness - start.Harness) / seconds), Round((Machine - start.Machine) / seconds));
    }

    private static double Round(double value) => Math.Round(value, 2);
}

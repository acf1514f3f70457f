using System.Runtime.InteropServices;
using Webhooks.Benchmarks;

// `make bench`: the dispatcher's throughput, latency, commits per delivery and memory beside the
// raw HTTP and PostgreSQL rates of this machine. `make bench BENCH_ARGS=--quick` for a smoke run.
// Ctrl-C or SIGTERM stops it: the dispatcher process is killed and the cluster removed.
using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

var report = await BenchmarkRun.RunAsync(BenchOptions.Parse(args), stopping.Token);
return report.Complete ? 0 : 1;

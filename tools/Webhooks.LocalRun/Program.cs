using Webhooks.LocalRun;

// `make run`: the whole pipeline on this machine, nothing to install or configure. Ctrl-C stops it.
var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};

await LocalPipeline.RunAsync(LocalRunOptions.FromEnvironment(), stopping.Token);

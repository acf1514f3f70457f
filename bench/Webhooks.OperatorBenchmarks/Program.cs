using Webhooks.OperatorBenchmarks;

// `make bench-operator`: how fast the operator turns N Webhooks into Ready routes, and how many
// status writes it makes in a steady state where nothing changes. `--quick` for a smoke run.
var quick = args.Contains("--quick");
var workers = args.SkipWhile(a => a != "--workers").Skip(1).Select(int.Parse).FirstOrDefault(Webhooks.Operator.Controller.ControllerOptions.DefaultWorkers);
var result = await OperatorScaleRun.RunAsync(webhooks: quick ? 100 : 1000, steadyState: TimeSpan.FromSeconds(quick ? 10 : 60), workers);
return result.AllReady ? 0 : 1;

# The two commands a new user needs: `make run` (the whole pipeline locally) and `make test`.
DOTNET ?= dotnet
CONFIGURATION ?= Debug
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: build test test-dotnet test-packaging run bench bench-operator clean

build:
	$(DOTNET) build Webhooks.sln -c $(CONFIGURATION) -warnaserror

## Every test: .NET suites (real PostgreSQL, real HTTP, the API test server, kubectl) and packaging checks.
test: build
	bash tests/run.sh $(CONFIGURATION)

## Throwaway PostgreSQL, operator on config/samples, dispatcher, demo receiver, sample traffic. Ctrl-C stops it.
run:
	$(DOTNET) run --project tools/Webhooks.LocalRun -c $(CONFIGURATION)

## The dispatcher's throughput, latency, commits per delivery and memory beside this machine's raw
## HTTP and PostgreSQL rates (Release build, a few minutes). BENCH_ARGS=--quick for a smoke run under a minute.
BENCH_ARGS ?=
bench:
	$(DOTNET) build bench/Webhooks.Benchmarks -c Release -warnaserror
	$(DOTNET) bench/Webhooks.Benchmarks/bin/Release/net10.0/Webhooks.Benchmarks.dll $(BENCH_ARGS)
	$(MAKE) bench-operator

## 1,000 Webhooks through the operator on the Kubernetes API test server; status writes in a quiet minute.
bench-operator:
	$(DOTNET) build bench/Webhooks.OperatorBenchmarks -c Release -warnaserror
	$(DOTNET) bench/Webhooks.OperatorBenchmarks/bin/Release/net10.0/Webhooks.OperatorBenchmarks.dll $(filter --quick,$(BENCH_ARGS))

clean:
	$(DOTNET) clean Webhooks.sln

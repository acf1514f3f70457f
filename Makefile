# The two commands a new user needs: `make run` (the whole pipeline locally) and `make test`.
DOTNET ?= dotnet
CONFIGURATION ?= Debug
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: build test test-dotnet test-packaging run bench clean

build:
	$(DOTNET) build Webhooks.sln -c $(CONFIGURATION) -warnaserror

## Every test: .NET suites (real PostgreSQL, real HTTP, the API test server, kubectl) and packaging checks.
test: build
	bash tests/run.sh $(CONFIGURATION)

## Throwaway PostgreSQL, operator on config/samples, dispatcher, demo receiver, sample traffic. Ctrl-C stops it.
run:
	$(DOTNET) run --project tools/Webhooks.LocalRun -c $(CONFIGURATION)

clean:
	$(DOTNET) clean Webhooks.sln

#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Debug}"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0

dotnet test Webhooks.sln -c "$configuration" --no-build --results-directory "$results" \
  2>&1 | tee "$results/dotnet.log" || status=1

if [ -x tests/packaging/run.sh ] || [ -f tests/packaging/run.sh ]; then
  bash tests/packaging/run.sh 2>&1 | tee "$results/packaging.log" || status=1
fi

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 91, Skipped: 0, ...") and the
# packaging checks' own "N passed, N failed" line.
read -r passed failed skipped < <(
  { grep -hoE 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$results/dotnet.log" \
      | sed -E 's/Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+)/\2 \1 \3/'
    [ -f "$results/packaging.log" ] && grep -hoE '^[0-9]+ passed, [0-9]+ failed' "$results/packaging.log" | tail -1 \
      | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2 0/'
  } | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then status=1; fi
if [ "$failed" -ne 0 ]; then status=1; fi
exit $status

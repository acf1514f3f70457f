#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Debug}"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0

# Normal verbosity prints failures and skip reasons; the one line per passing test is left out.
dotnet test Webhooks.sln -c "$configuration" --no-build --logger "console;verbosity=normal" --results-directory "$results" \
  > "$results/dotnet.log" 2>&1 || status=1
grep -vE '^\s+Passed [A-Za-z]' "$results/dotnet.log"

if [ -x tests/packaging/run.sh ] || [ -f tests/packaging/run.sh ]; then
  bash tests/packaging/run.sh 2>&1 | tee "$results/packaging.log" || status=1
fi

# Sum the per-assembly summaries ("     Passed: 91", "     Failed: 0", "    Skipped: 1") and the
# packaging checks' own "N passed, N failed" line.
read -r passed failed skipped < <(
  { grep -hE '^ +(Passed|Failed|Skipped): +[0-9]+$' "$results/dotnet.log" \
      | awk '$1 == "Passed:" {print $2, 0, 0} $1 == "Failed:" {print 0, $2, 0} $1 == "Skipped:" {print 0, 0, $2}'
    [ -f "$results/packaging.log" ] && grep -hoE '^[0-9]+ passed, [0-9]+ failed' "$results/packaging.log" | tail -1 \
      | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2 0/'
  } | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then status=1; fi
if [ "$failed" -ne 0 ]; then status=1; fi
exit $status
